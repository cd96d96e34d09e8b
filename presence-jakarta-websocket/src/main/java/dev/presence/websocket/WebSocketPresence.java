package dev.presence.websocket;

import dev.presence.ConnectOptions;
import dev.presence.PresenceProtocol;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects {@code jakarta.websocket} sessions to a {@link PresenceRegistry}. A host endpoint calls
 * {@link #onOpen}, {@link #onText}, {@link #onClose} and {@link #onError} from its
 * {@code @OnOpen}/{@code @OnMessage}/{@code @OnClose}/{@code @OnError} methods (or extends
 * {@link PresenceEndpoint}, which does so).
 *
 * <p>On open, the session's user is resolved ({@link UserResolver}); a session without a user is
 * closed with 1008 (policy violation) and never registered. Otherwise it is registered, with the
 * {@link ConnectOptions} of its {@link ConnectOptionsResolver} (metadata, stored availability:
 * an invisible user never flashes online), and an {@link dev.presence.Outbound} that sends
 * asynchronously, serialized per session. Heartbeat
 * pings go out as configured by {@link Builder#pingStyle}; every pong frame and every message
 * counts as a sign of life. Sessions the registry evicts are closed with a close code and a short
 * reason: 1001 "heartbeat timeout", 1011 "ping failed", 1008 "slow consumer", 1001 "server
 * shutting down". A session over the registry's {@code maxSessionsPerUser} or {@code maxSessions}
 * is refused with 1013 "try again later" and never registered. Sessions end in the registry with
 * the reason that ended them ({@link dev.presence.DisconnectReason}: {@code CLOSED} from
 * {@link #onClose}, {@code ERROR} from {@link #onError}, {@code SLOW_CONSUMER}, ...).
 *
 * <p><b>Protocol.</b> {@link #onText} applies the client's presence messages ({@code pong},
 * {@code activity}, {@code set_status}, {@code set_metadata}; docs/protocol.md) through core's
 * {@link PresenceProtocol}, as the session's own user; a bad one changes nothing and is answered
 * with an {@code error} message (bounded: it never echoes more than a short quote of the input).
 * Every other text is the host's.
 *
 * <p><b>Isolation.</b> No thread of this integration, of the registry or of the container waits
 * on one peer: texts use the container's asynchronous API, ping frames and closes use Jetty's
 * asynchronous core API where it is visible, else a thread of their own bounded by the
 * container's send timeout (see docs/jakarta-websocket.md). A session whose write has not
 * completed within {@link Builder#writeTimeout} (default 10 s), or that has more than {@link
 * Builder#maxPendingSends} texts or {@link Builder#maxPendingBytes} bytes pending, is a slow
 * consumer: its presence ends at once, its connection is closed with 1008 (or dropped, when even
 * its writes are stuck), it is counted ({@link #slowConsumerCount()}) and logged once at WARN.
 * A watchdog thread checks every write in flight every quarter of {@code writeTimeout} (at least
 * every second).
 *
 * <p>The integration keeps its own state per session, so {@link #onClose} and {@link #onError}
 * work whatever state the container session is in; they never throw.
 *
 * <p>Thread-safe. One instance serves every endpoint and session of an application; {@link
 * #close()} it after the registry, on shutdown.
 */
public final class WebSocketPresence implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketPresence.class);
  static final CloseReason REFUSED = new CloseReason(CloseCodes.VIOLATED_POLICY, "unauthenticated");
  static final CloseReason SHUTTING_DOWN = new CloseReason(CloseCodes.GOING_AWAY, "server shutting down");
  static final CloseReason TRY_AGAIN_LATER = new CloseReason(CloseCodes.TRY_AGAIN_LATER, "try again later");

  private final PresenceRegistry registry;
  private final SessionOpening opening;
  private final PresenceProtocol protocol;
  private final SessionOpening.OutboundSettings outbound;
  private final Duration shutdownTimeout;
  private final PresenceThreads threads;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final SessionTable sessions = new SessionTable();
  private final LongAdder slowConsumers = new LongAdder();

  private WebSocketPresence(Builder b) {
    this.registry = b.registry;
    this.protocol = b.protocol;
    this.outbound = new SessionOpening.OutboundSettings(b.pingStyle, b.maxPendingSends,
        b.maxPendingBytes, b.writeTimeout);
    this.shutdownTimeout = b.shutdownTimeout;
    this.threads = new PresenceThreads(b.ioThreads, b.writeTimeout,
        () -> sessions.checkWrites(System.nanoTime()));
    this.opening = new SessionOpening(registry, b.resolver, b.optionsResolver, outbound, this,
        sessions, threads.io());
  }

  /**
   * Returns a builder with the defaults: the {@link UserResolver#defaultResolver() default
   * resolver}, {@link ConnectOptionsResolver#handshake()}, {@link PresenceProtocol#standard()},
   * {@link PingStyle#BOTH}, 256 pending sends and 1 MiB pending per session, a 10 s
   * write timeout, a 1 s shutdown timeout, 4 I/O threads kept warm.
   *
   * @param registry the registry sessions are registered in
   * @return a new builder
   * @throws NullPointerException if {@code registry} is null
   */
  public static Builder builder(PresenceRegistry registry) {
    return new Builder(registry);
  }

  /**
   * Registers a session being opened; call it first thing in {@code @OnOpen}. Resolves the user
   * and the {@link ConnectOptions}; if there is no user, or the options resolver throws, closes
   * the session with 1008 "unauthenticated" and returns null. If the registry's
   * {@code maxSessionsPerUser} or {@code maxSessions} is reached, registers nothing, closes the
   * session with 1013 "try again later", counts it ({@link #capacityRefusedCount()}) and returns
   * null. If the registry is closed, closes it with 1001 "server shutting down" and returns null. Also installs a pong
   * handler that records signs of life, unless the endpoint already has one (then call {@link
   * #touch} from it).
   *
   * @param session the session being opened
   * @param config its endpoint configuration
   * @return the registered presence session, or null if the session was refused
   * @throws NullPointerException if an argument is null
   */
  public @Nullable PresenceSession onOpen(Session session, EndpointConfig config) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(config, "config");
    return opening.open(session, config);
  }

  /**
   * Records an incoming text message as a sign of life and applies it if it is a presence
   * message; call it first thing in {@code @OnMessage}. {@code activity} and {@code set_status}
   * count as the user's activity, {@code set_status} changes the user's availability or status
   * text (and sends {@code self_status} to all their sessions), {@code set_metadata} replaces
   * this session's metadata. A malformed or invalid presence message changes nothing and is
   * answered with {@code {"type":"error","error":"bad_request","message":...}} through the
   * session's queue.
   *
   * @param session the session the message came from
   * @param text the message
   * @return true if it was a presence message (handled here, the host should ignore it); false
   *     for any other text, which is the host's
   * @throws NullPointerException if {@code text} is null
   */
  public boolean onText(Session session, String text) {
    Objects.requireNonNull(text, "text");
    SessionOutbound o = sessions.get(session);
    PresenceSession p = o == null ? null : o.presence();
    return p == null ? protocol.isPresenceMessage(text) : protocol.apply(registry, p, text, o::send);
  }

  /**
   * Records a sign of life: call it for incoming binary messages, and for pongs if the endpoint
   * declares its own {@code @OnMessage} method for {@link PongMessage}. Does nothing for a session
   * that is not registered.
   *
   * @param session the session
   */
  public void touch(Session session) {
    SessionOutbound o = sessions.get(session);
    if (o != null) {
      PresenceSession p = o.presence();
      if (p != null) {
        p.touch();
      }
    }
  }

  /**
   * Sends a text to one session through its presence queue, asynchronously. Use it instead of
   * the session's own remote endpoints for messages sent while presence may send too: some
   * containers refuse a second send while one is in flight. The text counts towards the session's
   * {@link Builder#maxPendingSends} and {@link Builder#maxPendingBytes}.
   *
   * @param session the session
   * @param text the message
   * @return false if the session is not registered (refused or already closed)
   * @throws NullPointerException if {@code text} is null
   */
  public boolean send(Session session, String text) {
    Objects.requireNonNull(text, "text");
    SessionOutbound o = sessions.get(session);
    if (o == null || o.presence() == null || !o.presence().isOpen()) {
      return false;
    }
    o.send(text);
    return true;
  }

  /**
   * Ends the session's presence; call it from {@code @OnClose}. Idempotent; never throws, and
   * never asks the (closed) container session for anything. If it was the user's last session,
   * the user goes offline (after the registry's offline grace).
   *
   * @param session the closed session
   */
  public void onClose(Session session) {
    try {
      SessionOutbound o = sessions.remove(session);
      if (o != null) {
        o.containerClosed();
      }
    } catch (RuntimeException e) {
      LOG.debug("Ending the presence of a closed WebSocket session failed", e);
    }
  }

  /**
   * Ends the session's presence at once and closes the session if it is still open (1011
   * "error"); call it from {@code @OnError}. Idempotent; never throws, whatever state the
   * container session is in.
   *
   * @param session the failed session
   * @param error what went wrong (logged at debug)
   */
  public void onError(Session session, Throwable error) {
    try {
      SessionOutbound o = sessions.get(session);
      if (o == null) {
        LOG.debug("Unregistered WebSocket session failed", error);
        return;
      }
      LOG.debug("WebSocket session {} of user '{}' failed", o.id, o.userId(), error);
      o.containerFailed();
    } catch (RuntimeException e) {
      LOG.debug("Ending the presence of a failed WebSocket session failed", e);
    }
  }

  /**
   * Returns the presence session of a WebSocket session, if it is registered.
   *
   * @param session the session
   * @return the presence session, or null if the session was refused, never opened here, or closed
   */
  public @Nullable PresenceSession presenceOf(Session session) {
    return sessions.presenceOf(session);
  }

  /**
   * Returns the registry sessions are registered in.
   *
   * @return the registry
   */
  public PresenceRegistry registry() {
    return registry;
  }

  /**
   * Returns how many sessions were ended as slow consumers: more than {@link
   * Builder#maxPendingSends} texts or {@link Builder#maxPendingBytes} bytes pending, or a write not
   * completed within {@link Builder#writeTimeout}.
   *
   * @return the count since creation
   */
  public long slowConsumerCount() {
    return slowConsumers.sum();
  }

  /**
   * Returns how many sessions were refused because their user could not be resolved.
   *
   * @return the count since creation
   */
  public long refusedCount() {
    return opening.refusedCount();
  }

  /**
   * Returns how many sessions were refused because the registry's {@code maxSessionsPerUser} or
   * {@code maxSessions} was reached (closed with 1013 "try again later").
   *
   * @return the count since creation
   */
  public long capacityRefusedCount() {
    return opening.capacityRefusedCount();
  }

  /**
   * Closes every connection and stops the threads, in bounded time: starts the closing handshake
   * (1001 "server shutting down") of every session not closing yet, on the writer threads in
   * parallel; waits until every session's handshake completed or {@link Builder#shutdownTimeout}
   * passed, whichever is first; then drops the connections that remain (a peer that does not
   * read or does not answer) without waiting for them; then stops the watchdog, and the writer
   * and I/O threads after the work already handed to them. Returns after at most {@code
   * shutdownTimeout} plus the time to drop what remains (one non-blocking abort per connection).
   * Sends nothing but close frames: no message per session or per co-member pair.
   *
   * <p>Close the fan-out and the registry first: the registry then ends every presence (and
   * hands this integration the close of every session, which starts at once, in parallel), and
   * nobody is told that everyone else went offline. Idempotent; later calls return at once.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    int dropped = sessions.closeAll(shutdownTimeout);
    if (dropped > 0) {
      LOG.info("Dropped {} WebSocket connections whose close did not complete within {}",
          dropped, shutdownTimeout);
    }
    threads.close();
  }

  void slowConsumerEvicted() {
    slowConsumers.increment();
  }

  Executor io() {
    return threads.io();
  }

  /** Runs a short, non-blocking task on a writer thread; false if they are shut down. */
  boolean execute(Runnable task) {
    return threads.execute(task);
  }

  /** How many sessions this integration keeps state for (open, or closing). */
  int trackedSessions() {
    return sessions.size();
  }

  /** How many of the sessions tracked have texts queued or in flight. */
  int sessionsWithPendingTexts() {
    return sessions.withPendingTexts();
  }

  @Override
  public String toString() {
    return "WebSocketPresence(" + outbound.pingStyle() + ", maxPendingSends="
        + outbound.maxPendingSends() + ", maxPendingBytes=" + outbound.maxPendingBytes()
        + ", writeTimeout=" + outbound.writeTimeout()
        + ", shutdownTimeout=" + shutdownTimeout + ")";
  }

  /**
   * Builds a {@link WebSocketPresence}. Setters validate at once. Not thread-safe.
   */
  public static final class Builder {
    private final PresenceRegistry registry;
    private UserResolver resolver = UserResolver.defaultResolver();
    private ConnectOptionsResolver optionsResolver = ConnectOptionsResolver.handshake();
    private PresenceProtocol protocol = PresenceProtocol.standard();
    private PingStyle pingStyle = PingStyle.BOTH;
    private int maxPendingSends = 256;
    private long maxPendingBytes = 1024 * 1024;
    private Duration writeTimeout = Duration.ofSeconds(10);
    private Duration shutdownTimeout = Duration.ofSeconds(1);
    private int ioThreads = 4;

    private Builder(PresenceRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * Sets how the user of a new session is found. Default {@link
     * UserResolver#defaultResolver()}: the user a {@link PresenceConfigurator} stored, else the
     * authenticated principal.
     *
     * @param resolver the resolver
     * @return this builder
     * @throws NullPointerException if {@code resolver} is null
     */
    public Builder userResolver(UserResolver resolver) {
      this.resolver = Objects.requireNonNull(resolver, "userResolver");
      return this;
    }

    /**
     * Sets how the {@link ConnectOptions} of a new session (its metadata, the user's stored
     * availability and status text) are found. Default {@link ConnectOptionsResolver#handshake()}:
     * what a {@link PresenceConfigurator}'s {@link HandshakeOptions} found, else the defaults.
     *
     * @param resolver the resolver
     * @return this builder
     * @throws NullPointerException if {@code resolver} is null
     */
    public Builder connectOptions(ConnectOptionsResolver resolver) {
      this.optionsResolver = Objects.requireNonNull(resolver, "connectOptions");
      return this;
    }

    /**
     * Sets the protocol incoming presence messages are parsed with, e.g. for another message
     * size bound. Default {@link PresenceProtocol#standard()}.
     *
     * @param protocol the protocol
     * @return this builder
     * @throws NullPointerException if {@code protocol} is null
     */
    public Builder protocol(PresenceProtocol protocol) {
      this.protocol = Objects.requireNonNull(protocol, "protocol");
      return this;
    }

    /**
     * Sets how heartbeat pings are sent. Default {@link PingStyle#BOTH}.
     *
     * @param style the style
     * @return this builder
     * @throws NullPointerException if {@code style} is null
     */
    public Builder pingStyle(PingStyle style) {
      this.pingStyle = Objects.requireNonNull(style, "pingStyle");
      return this;
    }

    /**
     * Sets how many texts may be queued or in flight per session before the session counts as a
     * slow consumer and is closed. Default 256.
     *
     * @param max a positive count
     * @return this builder
     * @throws IllegalArgumentException if {@code max} is not positive
     */
    public Builder maxPendingSends(int max) {
      if (max <= 0) {
        throw new IllegalArgumentException("maxPendingSends must be positive: " + max);
      }
      this.maxPendingSends = max;
      return this;
    }

    /**
     * Sets how many bytes of text (UTF-8) may be queued or in flight per session before the
     * session counts as a slow consumer and is closed; a single text longer than this ends the
     * session too. Default 1 MiB. This bounds the memory one client can hold on the server.
     *
     * @param max a positive number of bytes
     * @return this builder
     * @throws IllegalArgumentException if {@code max} is not positive
     */
    public Builder maxPendingBytes(long max) {
      if (max <= 0) {
        throw new IllegalArgumentException("maxPendingBytes must be positive: " + max);
      }
      this.maxPendingBytes = max;
      return this;
    }

    /**
     * Sets how long one write (text, ping or close) may take before the session counts as a slow
     * consumer: its presence ends and its connection is dropped. Default 10 s.
     *
     * @param timeout a positive duration of at least one millisecond
     * @return this builder
     * @throws IllegalArgumentException if {@code timeout} is below one millisecond
     * @throws NullPointerException if {@code timeout} is null
     */
    public Builder writeTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "writeTimeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("writeTimeout must be positive: " + timeout);
      }
      if (timeout.compareTo(Duration.ofMillis(1)) < 0) {
        throw new IllegalArgumentException("writeTimeout must be at least 1 ms: " + timeout);
      }
      this.writeTimeout = timeout;
      return this;
    }

    /**
     * Sets how long {@link WebSocketPresence#close()} waits for the closing handshakes of the
     * sessions still open before it drops their connections. Default 1 s: clients reconnect
     * anyway, and a node must stop in bounded time whatever its peers do. Zero drops every
     * connection at once, without a close frame.
     *
     * @param timeout a duration of zero or more
     * @return this builder
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws NullPointerException if {@code timeout} is null
     */
    public Builder shutdownTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "shutdownTimeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("shutdownTimeout must not be negative: " + timeout);
      }
      this.shutdownTimeout = timeout;
      return this;
    }

    /**
     * Sets how many threads are kept for the blocking calls of containers without an asynchronous
     * ping (ping frames and closes on Tomcat). More are started when needed, one per call in
     * flight, since each call may wait up to {@link #writeTimeout} on its peer; all stop when
     * idle. Also the number of writer threads that start the writes a heartbeat ping queues (so
     * the heartbeat thread never writes a session's queued texts itself). Default 4.
     *
     * @param threads a positive count
     * @return this builder
     * @throws IllegalArgumentException if {@code threads} is not positive
     */
    public Builder ioThreads(int threads) {
      if (threads <= 0) {
        throw new IllegalArgumentException("ioThreads must be positive: " + threads);
      }
      this.ioThreads = threads;
      return this;
    }

    /**
     * Builds it.
     *
     * @return a new instance
     */
    public WebSocketPresence build() {
      return new WebSocketPresence(this);
    }
  }
}
