package dev.presence.websocket;

import dev.presence.DisconnectReason;
import dev.presence.Outbound;
import dev.presence.PresenceSession;
import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Outbound} of one {@code jakarta.websocket.Session}, and the adapter's own state for
 * it (so that nothing ever asks a closed container session for its user properties).
 *
 * <p><b>Concurrency.</b> Writes are serialized per session: one queue, at most one write in
 * flight. Containers differ here (Tomcat refuses a second async text while one is in flight; Jetty
 * queues it), so the order and the in-flight rule are ours, the same everywhere. Whoever finds
 * the writer idle claims it ({@code writing} CAS) and starts the next item; the completion
 * callback releases it and starts the next. A completion that arrives before the start returned
 * (containers may complete a write inline) is looped over by the starter rather than recursed
 * into; a per-write state decides which of the two threads goes on.
 *
 * <p><b>Timing.</b> Nothing here blocks its caller: every write goes through a {@link Transport},
 * which never blocks. A heartbeat ping that finds the writer idle and nothing else queued (an
 * idle session, the usual case) is written by the heartbeat thread itself: no task, no hand-off,
 * no wake-up per session. Texts are never written by the heartbeat thread: a ping that finds
 * texts queued, or texts queued while it was written, hand the drain to a writer thread. The
 * write in flight carries its start time; {@link #check} (called by the watchdog and on every
 * heartbeat ping) ends a session whose write has not completed within {@code writeTimeout} as a
 * slow consumer and aborts its connection, and aborts a connection whose close frame has not
 * gone out within {@code writeTimeout}. Pings coalesce: at most one heartbeat (a ping frame, the
 * JSON ping or both, per {@link PingStyle}) waits per session.
 *
 * <p><b>Memory.</b> Texts beyond {@code maxPendingSends} or {@code maxPendingBytes} (queued plus
 * in flight, a text counting as its UTF-8 length) mean a client that does not keep up: the
 * session is ended in the registry, closed with 1008 "slow consumer", counted, and logged once.
 * A failed write on a connection that is gone ends the presence at once.
 */
final class SessionOutbound implements Outbound {
  private static final Logger LOG = LoggerFactory.getLogger(SessionOutbound.class);
  /** The heartbeat in the queue: a ping frame, the JSON ping or both, per {@link PingStyle}. */
  private static final Object PING = new Object();
  private static final long NONE = Long.MIN_VALUE;

  final Session session;
  /** The container's session id, read once while the session was open. */
  final String id;
  private final String userId;
  private final WebSocketPresence owner;
  private final Transport transport;
  private final PingStyle pingStyle;
  private final int maxPending;
  private final long maxPendingBytes;
  private final long writeTimeoutNanos;
  private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger pendingTexts = new AtomicInteger();
  private final AtomicLong pendingBytes = new AtomicLong();
  private final AtomicBoolean writing = new AtomicBoolean();
  private final AtomicBoolean pingQueued = new AtomicBoolean();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final AtomicBoolean aborted = new AtomicBoolean();
  /** {@link System#nanoTime()} when the write in flight started; {@link #NONE} if none is. */
  private volatile long writeSince = NONE;
  /** When our close frame was handed to the container; {@link #NONE} if none or once written. */
  private volatile long closeSince = NONE;
  /** Why the session ended, once it did; handed to the registration if it arrives later. */
  private volatile DisconnectReason ended;
  /** Set once {@code connect} returned; the registry may use this outbound before that. */
  private volatile PresenceSession presence;

  SessionOutbound(Session session, String userId, WebSocketPresence owner, Transport transport,
      PingStyle pingStyle, int maxPending, long maxPendingBytes, Duration writeTimeout) {
    this.session = session;
    this.id = session.getId();
    this.userId = userId;
    this.owner = owner;
    this.transport = transport;
    this.pingStyle = pingStyle;
    this.maxPending = maxPending;
    this.maxPendingBytes = maxPendingBytes;
    this.writeTimeoutNanos = writeTimeout.toNanos();
  }

  /**
   * Hands over the registration. If the session already ended (the registry may send to it from
   * inside {@code connect}, and the container may close it meanwhile), ends the registration now:
   * of this and {@link #endPresence}, whichever runs second sees the other's write.
   */
  void registered(PresenceSession p) {
    presence = p;
    DisconnectReason reason = ended;
    if (reason != null) {
      end(p, reason);
    }
  }

  PresenceSession presence() {
    return presence;
  }

  String userId() {
    return userId;
  }

  String transportKind() {
    return transport.kind();
  }

  @Override
  public void ping() {
    if (closing.get() || !session.isOpen()) {
      throw new IllegalStateException("session " + id + " is closed");
    }
    if (check(System.nanoTime())) {
      return; // ended as a slow consumer just now
    }
    if (!pingQueued.compareAndSet(false, true)) {
      return; // the last one has not gone out yet
    }
    queue.add(PING);
    if (writing.compareAndSet(false, true)) {
      if (queue.peek() == PING) {
        queue.poll();
        writePingHere(); // the idle session's usual case: no hand-off, no task, no wake-up
      } else {
        writing.set(false);
        handOff();
      }
    }
    // else the write in flight goes on with the queue, the ping included
  }

  /**
   * Writes the heartbeat from the caller's thread, the writer claimed. Only the ping: the
   * transport never blocks, and texts queued meanwhile go to a writer thread, so that the
   * heartbeat thread never writes a session's texts itself (a container may complete writes
   * inline until the socket is full).
   */
  private void writePingHere() {
    if (closing.get()) {
      writing.set(false);
      return;
    }
    Write write = new Write(PING);
    write.start();
    if (write.compareAndSet(STARTING, RETURNED)) {
      return; // not complete yet: its completion continues the drain
    }
    writing.set(false);
    if (!queue.isEmpty()) {
      handOff();
    }
  }

  /** Drains the queue on a writer thread (here if they are shut down). */
  private void handOff() {
    if (!owner.execute(this::drain)) {
      drain();
    }
  }

  /** A pong: a sign of life. */
  void touched() {
    PresenceSession p = presence;
    if (p != null) {
      p.touch();
    }
  }

  @Override
  public void send(String text) {
    if (closing.get()) {
      return;
    }
    if (pendingTexts.incrementAndGet() > maxPending) {
      pendingTexts.decrementAndGet();
      slowConsumer("more than " + maxPending + " messages pending (maxPendingSends)", false);
      return;
    }
    long bytes = utf8Length(text);
    if (pendingBytes.addAndGet(bytes) > maxPendingBytes) {
      pendingBytes.addAndGet(-bytes);
      pendingTexts.decrementAndGet();
      slowConsumer("more than " + maxPendingBytes + " bytes pending (maxPendingBytes)", false);
      return;
    }
    queue.add(new Text(text, bytes));
    drain();
  }

  @Override
  public void close(DisconnectReason reason) {
    ended = reason;
    if (reason == DisconnectReason.REGISTRY_CLOSED) {
      shutdown(); // every session at once: in parallel on the writer threads, not one by one here
    } else {
      closeSocket(closeReasonFor(reason));
    }
  }

  /**
   * Starts the closing handshake with 1001 "server shutting down" on a writer thread (inline if
   * they are shut down), unless the session is closing already. Never blocks.
   */
  void shutdown() {
    if (closing.compareAndSet(false, true)) {
      queue.clear();
      if (!owner.execute(() -> startClose(WebSocketPresence.SHUTTING_DOWN))) {
        startClose(WebSocketPresence.SHUTTING_DOWN);
      }
    }
  }

  /** Drops the connection without waiting for anything (the end of a shutdown). Never blocks. */
  void drop() {
    closing.set(true);
    queue.clear();
    abort();
  }

  /** Returns how many texts are queued or in flight. */
  int pendingTexts() {
    return pendingTexts.get();
  }

  /** Returns the UTF-8 bytes of the texts queued or in flight. */
  long pendingBytes() {
    return pendingBytes.get();
  }

  /**
   * Ends the session as a slow consumer if its write in flight is older than {@code writeTimeout},
   * and aborts the connection if its close frame is. Never blocks.
   *
   * @param now {@link System#nanoTime()}
   * @return true if this call ended the session
   */
  boolean check(long now) {
    long since = writeSince;
    if (since != NONE && now - since >= writeTimeoutNanos && !closing.get()) {
      return slowConsumer("a write did not complete within writeTimeout ("
          + Duration.ofNanos(writeTimeoutNanos) + ")", true);
    }
    long closeStarted = closeSince;
    if (closeStarted != NONE && now - closeStarted >= writeTimeoutNanos) {
      abort();
    }
    return false;
  }

  /** Whether nothing is left to do for this session: it may be forgotten. */
  boolean finished() {
    PresenceSession p = presence;
    return closing.get() && (p == null || !p.isOpen()) && closeSince == NONE && !session.isOpen();
  }

  /** The container reported the session closed: ends the presence. Never touches the session. */
  void containerClosed() {
    closing.set(true);
    queue.clear();
    closeSince = NONE;
    endPresence(DisconnectReason.CLOSED);
  }

  /** The container reported an error: ends the presence, then closes the socket if still open. */
  void containerFailed() {
    endPresence(DisconnectReason.ERROR);
    if (session.isOpen()) {
      closeSocket(new CloseReason(CloseCodes.UNEXPECTED_CONDITION, "error"));
    } else {
      closing.set(true);
      queue.clear();
    }
  }

  private boolean slowConsumer(String why, boolean abortNow) {
    if (!closing.compareAndSet(false, true)) {
      return false;
    }
    queue.clear();
    owner.slowConsumerEvicted();
    LOG.warn("Closing WebSocket session {} of user '{}' as a slow consumer: {}", id, userId, why);
    endPresence(DisconnectReason.SLOW_CONSUMER);
    if (abortNow) {
      abort();
    } else {
      startClose(closeReasonFor(DisconnectReason.SLOW_CONSUMER));
    }
    return true;
  }

  void closeSocket(CloseReason reason) {
    if (closing.compareAndSet(false, true)) {
      queue.clear();
      startClose(reason);
    }
  }

  private void startClose(CloseReason reason) {
    if (aborted.get()) {
      return; // dropped meanwhile (a shutdown past its deadline): nothing left to close
    }
    closeSince = System.nanoTime();
    try {
      transport.close(reason, () -> closeSince = NONE);
    } catch (RuntimeException e) {
      LOG.debug("Closing WebSocket session {} failed", id, e);
      abort();
    }
  }

  private void abort() {
    if (aborted.compareAndSet(false, true)) {
      closeSince = NONE;
      try {
        transport.abort();
      } catch (RuntimeException e) {
        LOG.debug("Aborting WebSocket session {} failed", id, e);
      }
    }
  }

  private void endPresence(DisconnectReason reason) {
    if (ended == null) {
      ended = reason;
    }
    PresenceSession p = presence;
    if (p != null) {
      end(p, ended);
    }
  }

  /** Ends a registration with a reason; the registry records the first and ignores the rest. */
  private static void end(PresenceSession p, DisconnectReason reason) {
    try {
      p.close(reason); // the user goes offline now if this was their last session
    } catch (RuntimeException e) {
      LOG.debug("Ending presence session {} ({}) failed", p, reason, e);
    }
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

  /** A queued text and its UTF-8 length. */
  private static final class Text {
    final String text;
    final long bytes;

    Text(String text, long bytes) {
      this.text = text;
      this.bytes = bytes;
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
      writeSince = System.nanoTime();
      try {
        if (item == PING) {
          pingQueued.set(false);
          transport.sendHeartbeat(pingStyle, this);
        } else {
          transport.sendText(((Text) item).text, this);
        }
      } catch (RuntimeException e) {
        // e.g. the session closed meanwhile, or the host wrote to it directly at the same time
        LOG.debug("Sending to WebSocket session {} failed", id, e);
        onResult(Transport.failed(e));
      }
    }

    @Override
    public void onResult(SendResult result) {
      writeSince = NONE;
      if (item instanceof Text text) {
        pendingBytes.addAndGet(-text.bytes);
        pendingTexts.decrementAndGet();
      }
      if (result != null && !result.isOK()) {
        LOG.debug("Write to WebSocket session {} failed", id, result.getException());
        if (!session.isOpen()) {
          endPresence(DisconnectReason.CLOSED); // the connection is gone: do not wait for it
        }
      }
      if (!compareAndSet(STARTING, COMPLETED)) {
        writing.set(false);
        drain();
      }
    }
  }

  /** The UTF-8 length of a string (an unpaired surrogate counts 3 bytes, never less than sent). */
  static long utf8Length(String s) {
    long n = 0;
    int len = s.length();
    for (int i = 0; i < len; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < len
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
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
      case ERROR:
        return new CloseReason(CloseCodes.UNEXPECTED_CONDITION, "error");
      case CLOSED:
      default:
        return new CloseReason(CloseCodes.NORMAL_CLOSURE, "closed");
    }
  }
}
