package dev.presence.websocket;

import dev.presence.PresenceMessages;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects {@code jakarta.websocket} sessions to a {@link PresenceRegistry}. A host endpoint calls
 * {@link #onOpen}, {@link #onText}, {@link #onClose} and {@link #onError} from its
 * {@code @OnOpen}/{@code @OnMessage}/{@code @OnClose}/{@code @OnError} methods (or extends
 * {@link PresenceEndpoint}, which does so).
 *
 * <p>On open, the session's user is resolved ({@link UserResolver}); a session without a user is
 * closed with 1008 (policy violation) and never registered. Otherwise it is registered with an
 * {@link dev.presence.Outbound} that sends asynchronously, serialized per session, with at most
 * {@link Builder#maxPendingSends} texts pending: a client that does not keep up is closed with
 * 1008 and evicted ({@link #slowConsumerCount()}). Heartbeat pings go out as configured by
 * {@link Builder#pingStyle}; every pong frame and every message counts as a sign of life.
 * Sessions the registry evicts are closed with a close code and a short reason: 1001 "heartbeat
 * timeout", 1011 "ping failed", 1008 "slow consumer", 1001 "server shutting down".
 *
 * <p>Thread-safe. One instance serves every endpoint and session of an application; {@link
 * #close()} it after the registry, on shutdown.
 */
public final class WebSocketPresence implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketPresence.class);
  static final String OUTBOUND_PROPERTY = "dev.presence.websocket.outbound";
  static final CloseReason REFUSED = new CloseReason(CloseCodes.VIOLATED_POLICY, "unauthenticated");

  private final PresenceRegistry registry;
  private final UserResolver resolver;
  private final PingStyle pingStyle;
  private final int maxPendingSends;
  private final ThreadPoolExecutor io;
  private final LongAdder slowConsumers = new LongAdder();
  private final LongAdder refused = new LongAdder();

  private WebSocketPresence(Builder b) {
    this.registry = b.registry;
    this.resolver = b.resolver;
    this.pingStyle = b.pingStyle;
    this.maxPendingSends = b.maxPendingSends;
    AtomicInteger threads = new AtomicInteger();
    this.io = new ThreadPoolExecutor(b.ioThreads, b.ioThreads, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "presence-websocket-io-" + threads.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    io.allowCoreThreadTimeOut(true);
  }

  /**
   * Returns a builder with the defaults: the {@link UserResolver#defaultResolver() default
   * resolver}, {@link PingStyle#BOTH}, 256 pending sends per session, 4 I/O threads.
   *
   * @param registry the registry sessions are registered in
   * @return a new builder
   * @throws NullPointerException if {@code registry} is null
   */
  public static Builder builder(PresenceRegistry registry) {
    return new Builder(registry);
  }

  /**
   * Registers a session being opened; call it first thing in {@code @OnOpen}. Resolves the user;
   * if none, closes the session with 1008 and returns null. Also installs a pong handler that
   * records signs of life, unless the endpoint already has one (then call {@link #touch} from it).
   *
   * @param session the session being opened
   * @param config its endpoint configuration
   * @return the registered presence session, or null if the session was refused
   * @throws NullPointerException if an argument is null
   * @throws IllegalStateException if the registry is closed
   */
  public PresenceSession onOpen(Session session, EndpointConfig config) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(config, "config");
    String userId;
    try {
      userId = resolver.resolve(session, config);
    } catch (RuntimeException e) {
      LOG.warn("User resolution failed for WebSocket session {}; refusing it", session.getId(), e);
      userId = null;
    }
    if (userId == null || userId.isBlank()) {
      refused.increment();
      LOG.debug("Refusing WebSocket session {}: no user", session.getId());
      SessionOutbound refusedOutbound = new SessionOutbound(session, "(refused)", this, pingStyle, 1);
      refusedOutbound.closeSocket(REFUSED);
      return null;
    }
    SessionOutbound outbound = new SessionOutbound(session, userId, this, pingStyle, maxPendingSends);
    session.getUserProperties().put(OUTBOUND_PROPERTY, outbound);
    try {
      session.addMessageHandler(PongMessage.class,
          (MessageHandler.Whole<PongMessage>) pong -> touch(session));
    } catch (IllegalStateException e) {
      LOG.debug("Session {} already has a pong handler; it must call touch()", session.getId());
    }
    PresenceSession presence = registry.connect(userId, session.getId(), outbound);
    outbound.registered(presence);
    return presence;
  }

  /**
   * Records an incoming text message as a sign of life and tells whether it is a heartbeat
   * answer; call it first thing in {@code @OnMessage}.
   *
   * @param session the session the message came from
   * @param text the message
   * @return true if the message is {@code {"type":"pong"}}, which the host should then ignore
   */
  public boolean onText(Session session, String text) {
    touch(session);
    return PresenceMessages.isPong(text);
  }

  /**
   * Records a sign of life: call it for incoming binary messages, and for pongs if the endpoint
   * declares its own {@code @OnMessage} method for {@link PongMessage}. Does nothing for a session
   * that is not registered.
   *
   * @param session the session
   */
  public void touch(Session session) {
    SessionOutbound o = outboundOf(session);
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
   * containers refuse a second send while one is in flight.
   *
   * @param session the session
   * @param text the message
   * @return false if the session is not registered (refused or already closed)
   * @throws NullPointerException if {@code text} is null
   */
  public boolean send(Session session, String text) {
    Objects.requireNonNull(text, "text");
    SessionOutbound o = outboundOf(session);
    if (o == null || o.presence() == null || !o.presence().isOpen()) {
      return false;
    }
    o.send(text);
    return true;
  }

  /**
   * Ends the session's presence; call it from {@code @OnClose}. Idempotent. If it was the user's
   * last session, the user goes offline (after the registry's offline grace).
   *
   * @param session the closed session
   */
  public void onClose(Session session) {
    SessionOutbound o = outboundOf(session);
    if (o != null) {
      PresenceSession p = o.presence();
      if (p != null) {
        p.close();
      }
    }
  }

  /**
   * Ends the session's presence and closes the session after a transport error; call it from
   * {@code @OnError}. Idempotent.
   *
   * @param session the failed session
   * @param error what went wrong (logged at debug)
   */
  public void onError(Session session, Throwable error) {
    LOG.debug("WebSocket session {} failed", session.getId(), error);
    onClose(session);
    SessionOutbound o = outboundOf(session);
    if (o != null && session.isOpen()) {
      o.closeSocket(new CloseReason(CloseCodes.UNEXPECTED_CONDITION, "error"));
    }
  }

  /**
   * Returns the presence session of a WebSocket session, if it is registered.
   *
   * @param session the session
   * @return the presence session, or null if the session was refused or never opened here
   */
  public PresenceSession presenceOf(Session session) {
    SessionOutbound o = outboundOf(session);
    return o == null ? null : o.presence();
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
   * Returns how many sessions were closed and evicted for having more than
   * {@link Builder#maxPendingSends} sends pending.
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
    return refused.sum();
  }

  /**
   * Stops the I/O threads after the work already queued (pending pings and closes). Close the
   * registry first, so that its closes of every session still go out. Idempotent.
   */
  @Override
  public void close() {
    io.shutdown();
  }

  void slowConsumerEvicted() {
    slowConsumers.increment();
  }

  Executor io() {
    return io;
  }

  private static SessionOutbound outboundOf(Session session) {
    Object o = session.getUserProperties().get(OUTBOUND_PROPERTY);
    return o instanceof SessionOutbound ? (SessionOutbound) o : null;
  }

  @Override
  public String toString() {
    return "WebSocketPresence(" + pingStyle + ", maxPendingSends=" + maxPendingSends + ")";
  }

  /**
   * Builds a {@link WebSocketPresence}. Setters validate at once. Not thread-safe.
   */
  public static final class Builder {
    private final PresenceRegistry registry;
    private UserResolver resolver = UserResolver.defaultResolver();
    private PingStyle pingStyle = PingStyle.BOTH;
    private int maxPendingSends = 256;
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
     * Sets how many threads send ping frames and closes (the Jakarta API offers only blocking
     * calls for these). They are started on demand and stop when idle. Default 4.
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
