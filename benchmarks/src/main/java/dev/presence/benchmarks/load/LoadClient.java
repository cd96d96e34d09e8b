package dev.presence.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One simulated user: a JDK WebSocket to the demo that keeps a presence map the way
 * presence-client.js does ({@code presence_state} replaces it; {@code presence_diff} and
 * {@code user_status_changed} update it), counts the messages it gets, and notes when its view of
 * its co-members first matches what it is told to expect. The JDK answers ping frames itself.
 * Thread-safe: the listener callbacks of one socket are serialized by the JDK, the rest is
 * guarded by this object's monitor.
 */
final class LoadClient implements WebSocket.Listener {
  private static final ObjectMapper JSON = new ObjectMapper();

  final String userId;
  /** Who shares a thread with this user. */
  final Set<String> coMembers;
  final AtomicLong messages = new AtomicLong();
  final AtomicLong states = new AtomicLong();
  volatile String token;
  private final StringBuilder partial = new StringBuilder();
  private final Map<String, Boolean> view = new HashMap<>();
  private Set<String> expectedOnline;
  private long convergedAt;
  private volatile WebSocket ws;
  private volatile CompletableFuture<Void> closed = new CompletableFuture<>();
  volatile long openedAt;

  LoadClient(String userId, Set<String> coMembers) {
    this.userId = userId;
    this.coMembers = coMembers;
  }

  /** Opens the socket; completes when the handshake is done. */
  CompletableFuture<WebSocket> connect(HttpClient http, int port) {
    closed = new CompletableFuture<>();
    return http.newWebSocketBuilder().connectTimeout(java.time.Duration.ofSeconds(30))
        .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws?token=" + token), this);
  }

  boolean isOpen() {
    WebSocket w = ws;
    return w != null && !w.isInputClosed() && !closed.isDone();
  }

  CompletableFuture<Void> closedFuture() {
    return closed;
  }

  /** Closes like a page (1001) and waits up to 10 s for the server's reply. */
  void leave() {
    WebSocket w = ws;
    if (w == null) {
      return;
    }
    try {
      if (!w.isOutputClosed()) {
        w.sendClose(1001, "going away").get(10, TimeUnit.SECONDS);
      }
      closed.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      w.abort();
    }
  }

  /** From now on, notes the first moment the view shows exactly {@code online} as online. */
  synchronized void expect(Set<String> online) {
    expectedOnline = online;
    convergedAt = 0;
    check();
  }

  /** When the view first matched the expectation (System.nanoTime), or 0. */
  synchronized long convergedAt() {
    return convergedAt;
  }

  /** How many co-members this client sees wrongly against {@code online} (ghosts and misses). */
  synchronized int wrong(Set<String> online) {
    int n = 0;
    for (String m : coMembers) {
      if (Boolean.TRUE.equals(view.get(m)) != online.contains(m)) {
        n++;
      }
    }
    return n;
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    ws = webSocket; // before any message: the state may come before buildAsync completes
    openedAt = System.nanoTime();
    webSocket.request(Long.MAX_VALUE);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      String text = partial.toString();
      partial.setLength(0);
      if (!text.startsWith("{\"type\":\"ping\"")) {
        messages.incrementAndGet();
        apply(text);
      }
    }
    return null;
  }

  private synchronized void apply(String text) {
    JsonNode m;
    try {
      m = JSON.readTree(text);
    } catch (Exception e) {
      return;
    }
    switch (m.path("type").asText()) {
      case "presence_state" -> {
        states.incrementAndGet();
        view.clear();
        for (Iterator<Map.Entry<String, JsonNode>> it = m.get("users").fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          view.put(e.getKey(), e.getValue().path("is_online").asBoolean());
        }
      }
      case "presence_diff" -> {
        m.get("online").forEach(u -> view.put(u.asText(), true));
        m.get("offline").forEach(u -> view.put(u.asText(), false));
      }
      case "user_status_changed" -> view.put(m.get("user_id").asText(), m.get("is_online").asBoolean());
      default -> {
        return;
      }
    }
    check();
  }

  private void check() {
    if (expectedOnline != null && convergedAt == 0 && isOpen() && wrong(expectedOnline) == 0) {
      convergedAt = System.nanoTime();
    }
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    ended();
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    ended();
  }

  /** Like the JS client: the map is stale once the socket is gone; the next state refills it. */
  private synchronized void ended() {
    view.clear();
    closed.complete(null);
  }
}
