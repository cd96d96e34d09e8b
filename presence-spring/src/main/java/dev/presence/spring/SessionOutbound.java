package dev.presence.spring;

import dev.presence.DisconnectReason;
import dev.presence.Outbound;
import dev.presence.PresenceMessages;
import dev.presence.PresenceSession;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PingMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.handler.SessionLimitExceededException;

/**
 * The {@link Outbound} of one Spring {@link WebSocketSession}.
 *
 * <p><b>Never on the caller's thread.</b> {@link #send} and {@link #ping} only check the limits,
 * queue, and make sure one drain task for this session is scheduled on the I/O pool. The drain
 * task writes the queue in order through the session's {@link ConcurrentWebSocketSessionDecorator}
 * (shared with the application, which may send concurrently), at most {@value #BATCH} items per
 * turn so that one busy session does not hog a pool thread.
 *
 * <p><b>Slow consumers.</b> A client is ended as a slow consumer when, at a send or a ping, the
 * characters queued (plus the new text) exceed the buffer limit, or the write in flight started
 * longer ago than the send time limit, or when the decorator itself reports a limit exceeded.
 * The presence session is closed at once (so the user's status is right), the queue dropped,
 * and the socket closed with 1008 "slow consumer" from the I/O pool.
 *
 * <p>Thread-safe.
 */
final class SessionOutbound implements Outbound {
  private static final Logger LOG = LoggerFactory.getLogger(SessionOutbound.class);
  private static final int BATCH = 64;
  private static final Object PING_FRAME = new Object();
  private static final Object PING_JSON = new Object();
  private static final TextMessage PING_TEXT = new TextMessage(PresenceMessages.PING);
  static final CloseStatus SLOW_CONSUMER = CloseStatus.POLICY_VIOLATION.withReason("slow consumer");

  private final WebSocketSession session;
  private final ConcurrentWebSocketSessionDecorator decorated;
  private final String userId;
  private final SpringWebSocketPresence owner;
  private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
  private final AtomicLong pendingChars = new AtomicLong();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicBoolean frameQueued = new AtomicBoolean();
  private final AtomicBoolean jsonQueued = new AtomicBoolean();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final AtomicBoolean ended = new AtomicBoolean();
  /** Ticker time when the write in flight started; meaningful while {@code inWrite}. */
  private volatile long writeStartedNanos;
  private volatile boolean inWrite;
  private volatile PresenceSession presence;

  SessionOutbound(WebSocketSession session, ConcurrentWebSocketSessionDecorator decorated,
      String userId, SpringWebSocketPresence owner) {
    this.session = session;
    this.decorated = decorated;
    this.userId = userId;
    this.owner = owner;
  }

  /** Hands over the registration; ends it at once if the client was found slow meanwhile. */
  void registered(PresenceSession p) {
    presence = p;
    if (closing.get()) {
      endPresence(p, slowConsumerFound ? DisconnectReason.SLOW_CONSUMER : DisconnectReason.CLOSED);
    }
  }

  private volatile boolean slowConsumerFound;

  PresenceSession presence() {
    return presence;
  }

  ConcurrentWebSocketSessionDecorator decorated() {
    return decorated;
  }

  @Override
  public void ping() {
    if (closing.get() || !session.isOpen()) {
      throw new IllegalStateException("WebSocket session " + session.getId() + " is closed");
    }
    if (writeStuck()) {
      slowConsumer("a write has been blocked longer than the send time limit");
      return;
    }
    PingStyle style = owner.pingStyle();
    boolean added = false;
    if (style != PingStyle.JSON && frameQueued.compareAndSet(false, true)) {
      queue.add(PING_FRAME);
      added = true;
    }
    if (style != PingStyle.FRAME && jsonQueued.compareAndSet(false, true)) {
      queue.add(PING_JSON);
      added = true;
    }
    if (added) {
      scheduleDrain();
    }
  }

  @Override
  public void send(String text) {
    if (closing.get()) {
      return;
    }
    long chars = text.length();
    long pending = pendingChars.addAndGet(chars);
    if (pending > owner.sendBufferSizeLimit()) {
      pendingChars.addAndGet(-chars);
      slowConsumer(pending + " characters pending, more than " + owner.sendBufferSizeLimit());
      return;
    }
    if (writeStuck()) {
      pendingChars.addAndGet(-chars);
      slowConsumer("a write has been blocked longer than the send time limit");
      return;
    }
    queue.add(text);
    scheduleDrain();
  }

  @Override
  public void close(DisconnectReason reason) {
    // the registry ended the session; it is already unregistered
    if (ended.compareAndSet(false, true)) {
      owner.ended(reason);
    }
    closeSocket(closeStatusFor(reason));
  }

  /** The socket closed (the client went, or we closed it): end the registration. */
  void socketClosed() {
    closing.set(true);
    queue.clear();
    PresenceSession p = presence;
    if (p != null) {
      endPresence(p, DisconnectReason.CLOSED);
    }
  }

  /** The transport failed: end the registration and close the socket. */
  void transportFailed() {
    PresenceSession p = presence;
    if (p != null) {
      endPresence(p, DisconnectReason.ERROR);
    }
    closeSocket(CloseStatus.SERVER_ERROR.withReason("error"));
  }

  private void endPresence(PresenceSession p, DisconnectReason reason) {
    if (ended.compareAndSet(false, true)) {
      owner.ended(reason);
      p.close(reason);
    }
  }

  private boolean writeStuck() {
    return inWrite
        && owner.ticker().read() - writeStartedNanos > owner.sendTimeLimitMillis() * 1_000_000L;
  }

  private void slowConsumer(String why) {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    slowConsumerFound = true;
    LOG.warn("Closing WebSocket session {} of user '{}' as a slow consumer: {}", session.getId(),
        userId, why);
    PresenceSession p = presence;
    if (p != null) {
      endPresence(p, DisconnectReason.SLOW_CONSUMER);
    }
    submitClose(SLOW_CONSUMER);
  }

  private void closeSocket(CloseStatus status) {
    if (closing.compareAndSet(false, true)) {
      submitClose(status);
    }
  }

  private void submitClose(CloseStatus status) {
    queue.clear();
    Runnable close = () -> {
      try {
        decorated.close(status);
      } catch (Exception e) {
        LOG.debug("Closing WebSocket session {} failed", session.getId(), e);
      }
    };
    if (!execute(close)) {
      close.run(); // shutting down: nothing else will
    }
  }

  private void scheduleDrain() {
    if (draining.compareAndSet(false, true) && !execute(this::drain)) {
      draining.set(false);
    }
  }

  private void drain() {
    for (int n = 0; n < BATCH; n++) {
      Object item = queue.poll();
      if (item == null || closing.get()) {
        draining.set(false);
        // an item added after the poll found the flag still set: pick it up
        if (!queue.isEmpty() && !closing.get()) {
          scheduleDrain();
        }
        return;
      }
      write(item);
    }
    if (!execute(this::drain)) { // let other sessions have the thread; continue later
      draining.set(false);
    }
  }

  private void write(Object item) {
    WebSocketMessage<?> message;
    if (item == PING_FRAME) {
      frameQueued.set(false);
      message = new PingMessage(ByteBuffer.allocate(0));
    } else if (item == PING_JSON) {
      jsonQueued.set(false);
      message = PING_TEXT;
    } else {
      message = new TextMessage((String) item);
    }
    writeStartedNanos = owner.ticker().read();
    inWrite = true;
    try {
      decorated.sendMessage(message);
      if (item instanceof String) {
        owner.sent();
      }
    } catch (SessionLimitExceededException e) {
      slowConsumer(e.getMessage());
    } catch (Exception e) {
      // the session closed meanwhile, or the peer is gone: the heartbeat finds dead peers
      LOG.debug("Sending to WebSocket session {} failed", session.getId(), e);
    } finally {
      inWrite = false;
      if (item instanceof String s) {
        pendingChars.addAndGet(-s.length());
      }
    }
  }

  private boolean execute(Runnable task) {
    try {
      owner.io().execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      LOG.debug("Presence I/O pool rejected work for WebSocket session {}", session.getId(), e);
      return false;
    }
  }

  /** The close status sent when the registry ends a session. */
  static CloseStatus closeStatusFor(DisconnectReason reason) {
    return switch (reason) {
      case HEARTBEAT_TIMEOUT -> CloseStatus.GOING_AWAY.withReason("heartbeat timeout");
      case PING_FAILED -> CloseStatus.SERVER_ERROR.withReason("ping failed");
      case SLOW_CONSUMER -> SLOW_CONSUMER;
      case REPLACED -> CloseStatus.NORMAL.withReason("replaced by a new connection");
      case REGISTRY_CLOSED -> CloseStatus.GOING_AWAY.withReason("server shutting down");
      default -> CloseStatus.NORMAL.withReason("closed");
    };
  }
}
