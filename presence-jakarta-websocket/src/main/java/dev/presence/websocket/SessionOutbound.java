package dev.presence.websocket;

import dev.presence.DisconnectReason;
import dev.presence.Outbound;
import dev.presence.PresenceMessages;
import dev.presence.PresenceSession;
import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Outbound} of one {@code jakarta.websocket.Session}.
 *
 * <p><b>Concurrency.</b> Writes are serialized per session: one queue, at most one write in
 * flight. Containers differ here (Tomcat refuses a second async text while one is in flight; Jetty
 * queues it), so the order and the in-flight rule are ours, the same everywhere. Whoever finds
 * the writer idle claims it ({@code writing} CAS) and starts the next item; the completion
 * callback releases it and starts the next. A completion that arrives before the start returned
 * (containers may complete a write inline) is looped over by the starter rather than recursed
 * into; a per-write state decides which of the two threads goes on.
 *
 * <p><b>Timing.</b> Nothing here blocks its caller. Texts go out with {@code getAsyncRemote()
 * .sendText(text, handler)}. The Jakarta API has only a blocking {@code sendPing} and {@code
 * close}, so those run on the presence I/O executor; since they wait their turn in the queue,
 * a ping is only written once everything before it was, and then it blocks only if the peer's
 * TCP window is full. Pings coalesce: at most one of each kind waits per session.
 *
 * <p><b>Failure.</b> Texts beyond {@code maxPending} (queued plus in flight) mean a client that
 * does not keep up: the session is ended in the registry, closed with 1008, counted, and logged
 * once. A failed write is logged at debug and skipped; a dead peer is found by the heartbeat.
 */
final class SessionOutbound implements Outbound {
  private static final Logger LOG = LoggerFactory.getLogger(SessionOutbound.class);
  private static final Object PING_FRAME = new Object();
  private static final Object PING_JSON = new Object();

  final Session session;
  private final String userId;
  private final WebSocketPresence owner;
  private final PingStyle pingStyle;
  private final int maxPending;
  private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger pendingTexts = new AtomicInteger();
  private final AtomicBoolean writing = new AtomicBoolean();
  private final AtomicBoolean frameQueued = new AtomicBoolean();
  private final AtomicBoolean jsonQueued = new AtomicBoolean();
  private final AtomicBoolean closing = new AtomicBoolean();
  /** Set once {@code connect} returned; the registry may use this outbound before that. */
  private volatile PresenceSession presence;

  SessionOutbound(Session session, String userId, WebSocketPresence owner, PingStyle pingStyle,
      int maxPending) {
    this.session = session;
    this.userId = userId;
    this.owner = owner;
    this.pingStyle = pingStyle;
    this.maxPending = maxPending;
  }

  /**
   * Hands over the registration. If the session was already found to be a slow consumer (the
   * registry may send to it from inside {@code connect}), ends it now: of this and {@link
   * #slowConsumer}, whichever runs second sees the other's write.
   */
  void registered(PresenceSession p) {
    presence = p;
    if (closing.get()) {
      p.close();
    }
  }

  PresenceSession presence() {
    return presence;
  }

  @Override
  public void ping() {
    if (closing.get() || !session.isOpen()) {
      throw new IllegalStateException("session " + session.getId() + " is closed");
    }
    boolean added = false;
    if (pingStyle != PingStyle.JSON && frameQueued.compareAndSet(false, true)) {
      queue.add(PING_FRAME);
      added = true;
    }
    if (pingStyle != PingStyle.FRAME && jsonQueued.compareAndSet(false, true)) {
      queue.add(PING_JSON);
      added = true;
    }
    if (added) {
      drain();
    }
  }

  @Override
  public void send(String text) {
    if (closing.get()) {
      return;
    }
    if (pendingTexts.incrementAndGet() > maxPending) {
      pendingTexts.decrementAndGet();
      slowConsumer();
      return;
    }
    queue.add(text);
    drain();
  }

  @Override
  public void close(DisconnectReason reason) {
    closeSocket(closeReasonFor(reason));
  }

  /** Returns how many texts are queued or in flight. */
  int pendingTexts() {
    return pendingTexts.get();
  }

  private void slowConsumer() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    owner.slowConsumerEvicted();
    LOG.warn("Closing WebSocket session {} of user '{}': more than {} messages pending "
        + "(a client that does not read)", session.getId(), userId, maxPending);
    PresenceSession p = presence;
    if (p != null) {
      p.close(); // the user goes offline now if this was their last session
    }
    submitClose(closeReasonFor(DisconnectReason.SLOW_CONSUMER));
  }

  void closeSocket(CloseReason reason) {
    if (closing.compareAndSet(false, true)) {
      submitClose(reason);
    }
  }

  private void submitClose(CloseReason reason) {
    queue.clear();
    execute(() -> {
      try {
        session.close(reason);
      } catch (Exception e) {
        LOG.debug("Closing WebSocket session {} failed", session.getId(), e);
      }
    });
  }

  private void drain() {
    while (!queue.isEmpty() && writing.compareAndSet(false, true)) {
      for (;;) {
        Object item = queue.poll();
        if (item == null || closing.get()) {
          writing.set(false);
          break; // re-check: an item may have been added after the poll
        }
        Write write = new Write(item);
        write.start();
        if (write.compareAndSet(STARTING, RETURNED)) {
          return; // not complete yet: its completion continues the drain
        }
        // completed before start() returned (inline, or already on another thread): go on here
      }
    }
  }

  private static final int STARTING = 0;
  private static final int COMPLETED = 1;
  private static final int RETURNED = 2;

  /**
   * One write and its completion. The state decides, once per write, who continues the drain:
   * the starting thread if the completion came before {@code start()} returned (no recursion
   * when a container completes inline), the completing thread otherwise.
   */
  private final class Write extends AtomicInteger implements SendHandler {
    private static final long serialVersionUID = 1L;
    private final transient Object item;

    Write(Object item) {
      this.item = item;
    }

    void start() {
      if (item == PING_FRAME) {
        frameQueued.set(false);
        if (!execute(this::sendPingFrame)) {
          onResult(null);
        }
        return;
      }
      String text;
      if (item == PING_JSON) {
        jsonQueued.set(false);
        text = PresenceMessages.PING;
      } else {
        text = (String) item;
      }
      try {
        session.getAsyncRemote().sendText(text, this);
      } catch (RuntimeException e) {
        // e.g. the session closed meanwhile, or the host wrote to it directly at the same time
        LOG.debug("Sending to WebSocket session {} failed", session.getId(), e);
        onResult(null);
      }
    }

    private void sendPingFrame() {
      try {
        session.getAsyncRemote().sendPing(ByteBuffer.allocate(0));
      } catch (Exception e) {
        LOG.debug("Ping frame to WebSocket session {} failed", session.getId(), e);
      } finally {
        onResult(null);
      }
    }

    @Override
    public void onResult(SendResult result) {
      if (item instanceof String) {
        pendingTexts.decrementAndGet();
      }
      if (result != null && !result.isOK() && LOG.isDebugEnabled()) {
        LOG.debug("Write to WebSocket session {} failed", session.getId(), result.getException());
      }
      if (!compareAndSet(STARTING, COMPLETED)) {
        writing.set(false);
        drain();
      }
    }
  }

  private boolean execute(Runnable task) {
    try {
      owner.io().execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      LOG.debug("Presence I/O executor rejected work for session {}", session.getId(), e);
      return false;
    }
  }

  /** The close code and reason text sent when the registry ends a session. */
  static CloseReason closeReasonFor(DisconnectReason reason) {
    switch (reason) {
      case HEARTBEAT_TIMEOUT:
        return new CloseReason(CloseCodes.GOING_AWAY, "heartbeat timeout");
      case PING_FAILED:
        return new CloseReason(CloseCodes.UNEXPECTED_CONDITION, "ping failed");
      case SLOW_CONSUMER:
        return new CloseReason(CloseCodes.VIOLATED_POLICY, "slow consumer");
      case REPLACED:
        return new CloseReason(CloseCodes.NORMAL_CLOSURE, "replaced by a new connection");
      case REGISTRY_CLOSED:
        return new CloseReason(CloseCodes.GOING_AWAY, "server shutting down");
      case CLOSED:
      default:
        return new CloseReason(CloseCodes.NORMAL_CLOSURE, "closed");
    }
  }
}
