package dev.presence.websocket;

import dev.presence.PresenceMessages;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A well-behaved client on the JDK's {@code java.net.http.WebSocket}: answers ping frames (the JDK
 * does so by itself) and, optionally, JSON pings. Thread-safe.
 */
final class JdkClient implements WebSocket.Listener {
  final List<String> texts = new CopyOnWriteArrayList<>();
  final AtomicInteger pingFrames = new AtomicInteger();
  /** {@link System#nanoTime()} of every ping frame received. */
  final List<Long> pingFrameTimes = new CopyOnWriteArrayList<>();
  final AtomicInteger jsonPings = new AtomicInteger();
  final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private final boolean answerJsonPings;
  private final StringBuilder partial = new StringBuilder();
  private CompletableFuture<WebSocket> lastSend;
  private volatile WebSocket ws;

  private JdkClient(boolean answerJsonPings) {
    this.answerJsonPings = answerJsonPings;
  }

  static CompletableFuture<JdkClient> open(HttpClient http, URI uri, boolean answerJsonPings) {
    return open(http, uri, answerJsonPings, null);
  }

  static CompletableFuture<JdkClient> open(HttpClient http, URI uri, boolean answerJsonPings,
      String authorization) {
    return openWithHeaders(http, uri, answerJsonPings,
        authorization == null ? java.util.Map.of() : java.util.Map.of("Authorization", authorization));
  }

  static CompletableFuture<JdkClient> openWithHeaders(HttpClient http, URI uri,
      boolean answerJsonPings, java.util.Map<String, String> headers) {
    JdkClient c = new JdkClient(answerJsonPings);
    WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
    headers.forEach(builder::header);
    return builder.buildAsync(uri, c).thenApply(ws -> {
          c.ws = ws;
          return c;
        });
  }

  static JdkClient connect(HttpClient http, URI uri) throws Exception {
    return open(http, uri, true).get(10, TimeUnit.SECONDS);
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    synchronized (this) {
      lastSend = CompletableFuture.completedFuture(webSocket);
    }
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data); // one listener call at a time, per the JDK contract
    if (last) {
      String text = partial.toString();
      partial.setLength(0);
      if (PresenceMessages.PING.equals(text)) {
        jsonPings.incrementAndGet();
        if (answerJsonPings) {
          send(PresenceMessages.PONG);
        }
      } else {
        texts.add(text);
      }
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
    pingFrameTimes.add(System.nanoTime());
    pingFrames.incrementAndGet();
    return WebSocket.Listener.super.onPing(webSocket, message);
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closeCode.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closeCode.complete(-1);
  }

  /** Sends a text after any earlier one (the JDK allows one send at a time). */
  synchronized void send(String text) {
    lastSend = lastSend.thenCompose(w -> w.sendText(text, true));
  }

  /** Starts the closing handshake with 1000. */
  synchronized void close() {
    lastSend = lastSend.thenCompose(w -> w.sendClose(WebSocket.NORMAL_CLOSURE, "bye"));
  }

  /** Drops the connection without a close frame. */
  void abort() {
    ws.abort();
  }

  /** The largest gap between two ping frames received after {@code sinceNanos}. */
  java.time.Duration largestPingGap(long sinceNanos) {
    long last = sinceNanos;
    long largest = 0;
    for (long t : pingFrameTimes) {
      if (t >= sinceNanos) {
        largest = Math.max(largest, t - last);
        last = t;
      }
    }
    return java.time.Duration.ofNanos(Math.max(largest, System.nanoTime() - last));
  }

  /**
   * Counts the user_status_changed messages about {@code userId} with this {@code is_online};
   * other fields (status, status_text, last_active) may be present.
   */
  long statusMessages(String userId, boolean online) {
    String prefix = PresenceMessages.userStatusChanged(userId, online);
    String start = prefix.substring(0, prefix.length() - 1); // without the closing brace
    return texts.stream().filter(t -> t.equals(prefix) || t.startsWith(start + ",")).count();
  }
}
