package dev.presence.spring;

import dev.presence.DisconnectReason;
import dev.presence.PresenceProtocol;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import dev.presence.Ticker;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;

/**
 * Connects raw Spring {@link WebSocketHandler} applications to a {@link PresenceRegistry}:
 * {@link #decorate} wraps the application's handler so that every session is registered (its
 * user from {@link UserResolver}), pinged by the registry's heartbeat (ping frames and/or
 * {@code {"type":"ping"}}, see {@link PingStyle}), kept alive by every pong frame and incoming
 * message, and ended when it closes.
 *
 * <p><b>Sending.</b> The application's handler receives each session wrapped in Spring's
 * {@link org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator} with this
 * integration's send-time and buffer-size limits, shared with presence's own sends, so the
 * application and presence may send concurrently. Presence never sends on the caller's thread:
 * status messages and pings are queued per session and written by a small I/O pool. A client
 * that does not read (more than {@link Builder#sendBufferSizeLimit} bytes pending, or one write
 * blocked longer than {@link Builder#sendTimeLimit}) is ended as a slow consumer: unregistered at
 * once (its user goes offline if it was their last session) and closed with 1008 "slow
 * consumer". One such client never delays messages to others beyond the I/O pool's capacity,
 * and each I/O thread it holds is released within the send time limit (on Tomcat, the native
 * blocking send timeout is set to it).
 *
 * <p><b>Protocol.</b> Incoming texts go through core's {@link PresenceProtocol} first, as the
 * session's own user: {@code pong}, {@code activity}, {@code set_status} and {@code set_metadata}
 * (docs/protocol.md) are applied and never reach the application's handler; a bad one (or one
 * over the registry's {@code clientChangeLimit}) changes nothing and is answered with an
 * {@code error} message through the session's queue. Every other message is the
 * application's.
 *
 * <p>Thread-safe. One instance serves every handler and session of an application; {@link
 * #close()} it after the registry, on shutdown.
 */
public final class SpringWebSocketPresence implements AutoCloseable {
  static final String OUTBOUND_ATTRIBUTE = "dev.presence.spring.outbound";

  private final PresenceRegistry registry;
  private final UserResolver resolver;
  private final PingStyle pingStyle;
  private final int sendTimeLimitMillis;
  private final int sendBufferSizeLimit;
  private final Ticker ticker;
  private final PresenceProtocol protocol;
  private final ThreadPoolExecutor io;
  private final LongAdder refused = new LongAdder();
  private final LongAdder sent = new LongAdder();
  private final Map<DisconnectReason, LongAdder> ended = new EnumMap<>(DisconnectReason.class);

  private SpringWebSocketPresence(Builder b) {
    this.registry = b.registry;
    this.resolver = b.resolver;
    this.pingStyle = b.pingStyle;
    this.sendTimeLimitMillis = (int) Math.min(Integer.MAX_VALUE, b.sendTimeLimit.toMillis());
    this.sendBufferSizeLimit = b.sendBufferSizeLimit;
    this.ticker = b.ticker;
    this.protocol = b.protocol;
    for (DisconnectReason r : DisconnectReason.values()) {
      ended.put(r, new LongAdder());
    }
    AtomicInteger threads = new AtomicInteger();
    this.io = new ThreadPoolExecutor(b.ioThreads, b.ioThreads, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "presence-spring-io-" + threads.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    io.allowCoreThreadTimeOut(true);
  }

  /**
   * Returns a builder with the defaults: {@link UserResolver#defaultResolver()},
   * {@link PingStyle#BOTH}, send time limit 10 s, send buffer 512 KiB, 4 I/O threads,
   * {@link PresenceProtocol#standard()}.
   *
   * @param registry the registry sessions are registered in
   * @return a new builder
   * @throws NullPointerException if {@code registry} is null
   */
  public static Builder builder(PresenceRegistry registry) {
    return new Builder(registry);
  }

  /**
   * Wraps an application handler with presence. Register the result instead of the handler.
   *
   * @param handler the application's handler; it sees every registered session, decorated for
   *     concurrent sending, and never sees a refused one nor a presence message
   *     ({@code pong}, {@code activity}, {@code set_status}, {@code set_metadata})
   * @return the decorated handler
   * @throws NullPointerException if {@code handler} is null
   */
  public WebSocketHandler decorate(WebSocketHandler handler) {
    return new PresenceWebSocketHandler(Objects.requireNonNull(handler, "handler"), this);
  }

  /**
   * Sends a text to one session through its presence queue, off the calling thread, under the
   * same limits as status messages.
   *
   * @param session the session (as the application's handler received it, or the raw one)
   * @param text the message
   * @return false if the session is not registered (refused, or closed)
   * @throws NullPointerException if {@code text} is null
   */
  public boolean send(WebSocketSession session, String text) {
    Objects.requireNonNull(text, "text");
    SessionOutbound o = outboundOf(session);
    if (o == null || o.presence() == null || !o.presence().isOpen()) {
      return false;
    }
    o.send(text);
    return true;
  }

  /**
   * Returns the presence session of a WebSocket session.
   *
   * @param session the session (decorated or raw)
   * @return the registration, or null if the session is not registered here
   */
  public PresenceSession presenceOf(WebSocketSession session) {
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
   * Returns how many sessions reached the handler without a resolvable user (or while the
   * registry was closed) and were closed. Sessions over the registry's caps are counted by the
   * registry ({@code stats().sessionsRefused()}).
   *
   * @return the count since creation
   */
  public long refusedCount() {
    return refused.sum();
  }

  /**
   * Returns how many texts (status messages and {@link #send} calls; not pings) were written.
   *
   * @return the count since creation
   */
  public long sentCount() {
    return sent.sum();
  }

  /**
   * Returns how many sessions of this integration ended for a reason: {@code SLOW_CONSUMER} for
   * clients ended here, {@code ERROR} after a transport error, the registry's reason for
   * sessions it ended, {@code CLOSED} for sockets that closed. The registry counts the same per
   * reason for all its sessions ({@code stats().sessionsEnded()}).
   *
   * @param reason the reason
   * @return the count since creation
   * @throws NullPointerException if {@code reason} is null
   */
  public long endedCount(DisconnectReason reason) {
    return ended.get(Objects.requireNonNull(reason, "reason")).sum();
  }

  /**
   * Returns how many sessions were ended as slow consumers.
   *
   * @return the count since creation
   */
  public long slowConsumerCount() {
    return endedCount(DisconnectReason.SLOW_CONSUMER);
  }

  /**
   * Stops the I/O threads once the work already queued is done (pending closes). Close the
   * registry first so that its closes go out. Idempotent.
   */
  @Override
  public void close() {
    io.shutdown();
  }

  UserResolver resolver() {
    return resolver;
  }

  PingStyle pingStyle() {
    return pingStyle;
  }

  int sendTimeLimitMillis() {
    return sendTimeLimitMillis;
  }

  int sendBufferSizeLimit() {
    return sendBufferSizeLimit;
  }

  Ticker ticker() {
    return ticker;
  }

  /** Applies a presence message of {@code session}; see {@link PresenceProtocol#apply}. */
  boolean applyPresenceText(PresenceSession session, String text, java.util.function.Consumer<String> reply) {
    return protocol.apply(registry, session, text, reply);
  }

  Executor io() {
    return io;
  }

  void refused() {
    refused.increment();
  }

  void sent() {
    sent.increment();
  }

  void ended(DisconnectReason reason) {
    ended.get(reason).increment();
  }

  static SessionOutbound outboundOf(WebSocketSession session) {
    return session != null && session.getAttributes().get(OUTBOUND_ATTRIBUTE) instanceof SessionOutbound o
        ? o : null;
  }

  @Override
  public String toString() {
    return "SpringWebSocketPresence(" + pingStyle + ", sendTimeLimit=" + sendTimeLimitMillis
        + "ms, sendBufferSizeLimit=" + sendBufferSizeLimit + ")";
  }

  /** Builds a {@link SpringWebSocketPresence}. Setters validate at once. Not thread-safe. */
  public static final class Builder {
    private final PresenceRegistry registry;
    private UserResolver resolver = UserResolver.defaultResolver();
    private PingStyle pingStyle = PingStyle.BOTH;
    private Duration sendTimeLimit = Duration.ofSeconds(10);
    private int sendBufferSizeLimit = 512 * 1024;
    private int ioThreads = 4;
    private Ticker ticker = Ticker.system();
    private PresenceProtocol protocol = PresenceProtocol.standard();

    private Builder(PresenceRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * Sets how the user of a session is found. Default {@link UserResolver#defaultResolver()}.
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
     * Sets how long one write to a client may take before the client counts as a slow
     * consumer. Default 10 s.
     *
     * @param limit a positive duration of at least one millisecond
     * @return this builder
     * @throws IllegalArgumentException if {@code limit} is shorter than 1 ms
     */
    public Builder sendTimeLimit(Duration limit) {
      Objects.requireNonNull(limit, "sendTimeLimit");
      if (limit.toMillis() < 1) {
        throw new IllegalArgumentException("sendTimeLimit must be at least 1 ms: " + limit);
      }
      this.sendTimeLimit = limit;
      return this;
    }

    /**
     * Sets how many characters of text may wait for one client before it counts as a slow
     * consumer. Default 512 KiB.
     *
     * @param limit a positive number of characters
     * @return this builder
     * @throws IllegalArgumentException if {@code limit} is not positive
     */
    public Builder sendBufferSizeLimit(int limit) {
      if (limit <= 0) {
        throw new IllegalArgumentException("sendBufferSizeLimit must be positive: " + limit);
      }
      this.sendBufferSizeLimit = limit;
      return this;
    }

    /**
     * Sets how many threads write presence messages, pings and closes. Started on demand, stopped
     * when idle. Default 4.
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
     * Sets the time source of the send time limit. Default {@link Ticker#system()}.
     *
     * @param ticker the ticker
     * @return this builder
     * @throws NullPointerException if {@code ticker} is null
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Sets how incoming texts are read (bounds of one presence message). Default
     * {@link PresenceProtocol#standard()}.
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
     * Builds it.
     *
     * @return a new instance
     */
    public SpringWebSocketPresence build() {
      return new SpringWebSocketPresence(this);
    }
  }
}
