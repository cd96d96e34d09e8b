package dev.presence.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * One WebSocket connection of a test user: records every message except heartbeat pings (which
 * it counts and answers with {"type":"pong"}, like the page); the JDK answers ping frames itself.
 */
final class TestSocket implements WebSocket.Listener, AutoCloseable {
  final List<JsonNode> messages = new CopyOnWriteArrayList<>();
  final AtomicInteger jsonPings = new AtomicInteger();
  final AtomicInteger pingFrames = new AtomicInteger();
  final CompletableFuture<Integer> closed = new CompletableFuture<>();
  volatile WebSocket ws;
  private final StringBuilder partial = new StringBuilder();

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      String text = partial.toString();
      partial.setLength(0);
      try {
        JsonNode m = DemoClient.JSON.readTree(text);
        if ("ping".equals(m.path("type").asText())) {
          jsonPings.incrementAndGet();
          var unused = webSocket.sendText("{\"type\":\"pong\"}", true);
        } else {
          messages.add(m);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("the server sent text that is not JSON: " + text, e);
      }
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
    pingFrames.incrementAndGet();
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.complete(-1);
  }

  /**
   * Returns the is_online values told about {@code userId}, in order: by user_status_changed
   * events (batch window 0) and by the online/offline lists of presence_diff messages.
   */
  List<Boolean> statusesOf(String userId) {
    List<Boolean> out = new java.util.ArrayList<>();
    for (JsonNode m : messages) {
      String type = m.path("type").asText();
      if ("user_status_changed".equals(type) && userId.equals(m.path("user_id").asText())) {
        out.add(m.get("is_online").asBoolean());
      } else if ("presence_diff".equals(type)) {
        for (String list : List.of("online", "offline")) {
          for (JsonNode id : m.path(list)) {
            if (userId.equals(id.asText())) {
              out.add(list.equals("online"));
            }
          }
        }
      }
    }
    return out;
  }

  List<JsonNode> ofType(String type) {
    return messages.stream().filter(m -> type.equals(m.path("type").asText()))
        .collect(Collectors.toList());
  }

  void send(String text) {
    ws.sendText(text, true).join();
  }

  @Override
  public void close() {
    leave();
  }

  /** Closes like a page being closed (1001) and waits for the server's close reply. Idempotent. */
  void leave() {
    if (!ws.isOutputClosed()) {
      ws.sendClose(1001, "going away").join();
    }
    try {
      closed.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      ws.abort();
    }
  }
}
