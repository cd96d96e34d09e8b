package dev.presence.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One simulated user: a JDK WebSocket to the demo that keeps a presence map the way
 * presence-client.js does ({@code presence_state} replaces it; {@code presence_diff} and
 * {@code user_status_changed} update it; it is stale, so cleared, once the socket is gone), counts
 * the messages it gets, and notes when its view of its co-members first matches what it is told
 * to expect. The JDK answers ping frames itself.
 *
 * <p>Every socket has a listener of its own ({@link Connection}): a handshake that completes after
 * its attempt was given up is aborted, and nothing an earlier socket delivers late (a fragment, a
 * close) touches the current one's view. Like presence-client.js, a client that is told to
 * {@link #keepConnected keep connected} hands an unexpected loss of its socket (an error, or a
 * close it did not ask for) to a callback that reconnects it.
 *
 * <p>Thread-safe: the callbacks of one socket are serialized by the JDK; the view is guarded by
 * this object's monitor.
 */
final class LoadClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  final String userId;
  /** Who shares a thread with this user. */
  final Set<String> coMembers;
  final AtomicLong messages = new AtomicLong();
  final AtomicLong states = new AtomicLong();
  volatile String token;
  private final Map<String, Boolean> view = new HashMap<>();
  private Set<String> expectedOnline;
  private long convergedAt;
  private volatile Connection current;
  private volatile Consumer<LoadClient> onLost;

  // diagnostics (read by Diagnosis)
  final AtomicInteger opens = new AtomicInteger();
  /** Sockets lost without being asked to close (errors, closes the server started while wanted). */
  final AtomicInteger losses = new AtomicInteger();
  final AtomicLong badJson = new AtomicLong();
  volatile String lastBadJson;
  volatile long openedAt;
  volatile long closedAt;
  volatile String closeInfo = "";
  /** How the last socket lost unexpectedly ended. */
  volatile String lastLoss = "";
  volatile long stateAt;
  volatile int stateSize = -1;

  LoadClient(String userId, Set<String> coMembers) {
    this.userId = userId;
    this.coMembers = coMembers;
  }

  /** Opens a new socket (any earlier one is forgotten); completes when the handshake is done. */
  CompletableFuture<WebSocket> connect(HttpClient http, int port) {
    Connection c = new Connection();
    current = c;
    return http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30))
        .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws?token=" + token), c);
  }

  /**
   * From now on, an unexpected loss of the socket calls {@code reconnect} (once per loss, on a
   * JDK callback thread: it must not block); null turns that off (before a deliberate stop).
   */
  void keepConnected(Consumer<LoadClient> reconnect) {
    onLost = reconnect;
  }

  boolean isOpen() {
    Connection c = current;
    return c != null && c.isOpen();
  }

  CompletableFuture<Void> closedFuture() {
    Connection c = current;
    return c == null ? CompletableFuture.completedFuture(null) : c.closed;
  }

  /** Closes like a page (1001), without reconnecting, and waits up to 10 s for the server's reply. */
  void leave() {
    onLost = null;
    Connection c = current;
    WebSocket w = c == null ? null : c.ws;
    if (w == null) {
      return;
    }
    try {
      if (!w.isOutputClosed()) {
        w.sendClose(1001, "going away").get(10, TimeUnit.SECONDS);
      }
      c.closed.get(10, TimeUnit.SECONDS);
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

  /** Co-members in {@code online} shown offline or unknown, and co-members shown online though not in it. */
  synchronized List<List<String>> wrongEntries(Set<String> online) {
    List<String> missing = new ArrayList<>();
    List<String> extra = new ArrayList<>();
    for (String m : coMembers) {
      boolean shown = Boolean.TRUE.equals(view.get(m));
      if (shown && !online.contains(m)) {
        extra.add(m);
      } else if (!shown && online.contains(m)) {
        missing.add(m);
      }
    }
    return List.of(missing, extra);
  }

  /** What the view shows of {@code member}: true, false, or null if it is not in the view. */
  synchronized Boolean shows(String member) {
    return view.get(member);
  }

  private synchronized void apply(Connection from, String text) {
    if (from != current) {
      return; // a socket given up on
    }
    JsonNode m;
    try {
      m = JSON.readTree(text);
    } catch (Exception e) {
      badJson.incrementAndGet();
      lastBadJson = text.substring(0, Math.min(120, text.length()));
      return;
    }
    switch (m.path("type").asText()) {
      case "presence_state" -> {
        states.incrementAndGet();
        stateAt = System.nanoTime();
        stateSize = m.get("users").size();
        view.clear();
        m.get("users").properties().forEach(e -> view.put(e.getKey(), e.getValue().path("is_online").asBoolean()));
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

  /** Like the JS client: the map is stale once the socket is gone; the next state refills it. */
  private void ended(Connection from, String info) {
    Consumer<LoadClient> reconnect;
    synchronized (this) {
      if (from != current) {
        return;
      }
      view.clear();
      closedAt = System.nanoTime();
      closeInfo = info;
      reconnect = onLost; // null once told to leave or before a deliberate stop
      if (reconnect != null) {
        losses.incrementAndGet();
        lastLoss = info;
      }
    }
    if (reconnect != null) {
      reconnect.accept(this);
    }
  }

  /** The listener of one socket. */
  private final class Connection implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    volatile WebSocket ws;
    private int texts;
    /** The lengths of the first few text fragments, for the report of a failed socket. */
    private final StringBuilder firstFragments = new StringBuilder();

    boolean isOpen() {
      WebSocket w = ws;
      return w != null && !w.isInputClosed() && !closed.isDone();
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      if (this != current) {
        webSocket.abort(); // its attempt was given up (a handshake that took too long)
        closed.complete(null);
        return;
      }
      ws = webSocket; // before any message: the state may come before buildAsync completes
      openedAt = System.nanoTime();
      opens.incrementAndGet();
      webSocket.request(Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      if (++texts <= 4) {
        firstFragments.append(firstFragments.length() == 0 ? "" : ",").append(data.length()).append(last ? "$" : "");
      }
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        if (!text.startsWith("{\"type\":\"ping\"")) {
          messages.incrementAndGet();
          apply(this, text);
        }
      }
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(null);
      ended(this, statusCode + " " + reason);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.complete(null);
      StringBuilder b = new StringBuilder("error ").append(error);
      for (Throwable t = error.getCause(); t != null && b.length() < 400; t = t.getCause()) {
        b.append(" caused by ").append(t);
      }
      ended(this, b.append(" after ").append(texts).append(" text fragments on this socket (chars: ")
          .append(firstFragments).append(", $ = last of a message) and ")
          .append((System.nanoTime() - openedAt) / 1_000_000).append(" ms").toString());
    }
  }
}
