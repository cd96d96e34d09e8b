package dev.presence;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells every online member of a user's {@link Audience} when the user goes online or offline,
 * either at once or coalesced per recipient into one {@code presence_diff} per batch window, and
 * gives a session that just connected a {@code presence_state} of its whole audience, so that a
 * reconnecting client repaints without reading a database. Wire shapes: docs/fanout.md.
 *
 * <ul>
 *   <li><b>Batch window 0</b> (the default): one {@code user_status_changed} per transition per
 *       online recipient, exactly the messages of {@link StatusBroadcaster}.
 *   <li><b>Batch window &gt; 0</b>: a transition or a change of status or status text costs O(1)
 *       (it is recorded once in the window, not once per recipient; the latest fields of a user
 *       win). When the window ends, each online recipient gets at most one {@code presence_diff}:
 *       {@code online} / {@code offline} list the users of its audience whose online flag differs
 *       from the start of the window (a user who went offline and back, or online and back,
 *       within the window is in neither list), and {@code users} carries what the recipient may
 *       see of each of them and of every user whose status or status text it may see changed.
 *       Identical diffs are serialized once. A recipient whose diff would carry more than
 *       {@link Builder#maxDiffUsers} users gets {@code presence_resync} followed by a
 *       {@code presence_state} instead.
 * </ul>
 *
 * <p><b>Privacy.</b> Every message applies, per recipient and subject, what both the registry's
 * {@link PresencePolicy} and this fan-out's own ({@link Builder#policy}) allow: a subject the
 * recipient may not see is offline in its states and absent from its diffs, and
 * {@code status_text} and {@code last_active} / {@code last_online} appear only where allowed.
 *
 * <p>Listeners of the registry are unaffected: they still see every transition, per user in
 * order. Only wire messages are batched.
 *
 * <p><b>Order.</b> Everything sent to one recipient (diffs, immediate messages, states) is sent
 * under that recipient's lock, so a {@code presence_state} is never overtaken by an older diff
 * that would undo it: whatever a client applies last about a user is that user's latest state.
 *
 * <p><b>Shutdown.</b> {@link #close()} stops all fan-out at once. Close the fan-out before the
 * registry when a node stops: the registry's close takes every user offline, and every
 * co-member pair would otherwise be told (clients reconnect to another node anyway).
 *
 * <p>Thread-safe. Install it before sessions connect: users already online when it is built are
 * taken from {@link PresenceRegistry#onlineUsers()} once.
 */
public final class PresenceFanout implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PresenceFanout.class);
  private static final int STRIPES = 256;

  private final PresenceRegistry registry;
  private final Audience audience;
  private final Duration batchWindow;
  private final int maxDiffUsers;
  private final FanoutVisibility visibility;
  private final WindowDiffs windowDiffs;
  private final Scheduler scheduler;
  private final boolean ownsScheduler;
  /** Per-recipient send order: every message to a recipient goes out under its stripe. */
  private final Object[] stripes = new Object[STRIPES];
  /** Guards {@link #window}, {@link #seq}, {@link #flushTimer} and writes of {@link #online}. */
  private final Object lock = new Object();
  /** Serializes flushes, should the scheduler run two at once. */
  private final Object flushLock = new Object();
  /**
   * Users online as the fan-out's events tell (batched mode), with what others may be shown of
   * them (unfiltered) as of their latest event: what states show of subjects, and what a window's
   * changes are compared with.
   */
  private final Map<String, VisiblePresence> online = new ConcurrentHashMap<>();
  private final AtomicLong messages = new AtomicLong();
  private final AtomicLong resyncs = new AtomicLong();
  private DiffWindow window = new DiffWindow();
  private long seq;
  private Scheduler.Cancellable flushTimer;
  private volatile boolean closed;
  private final Subscription subscription;

  private PresenceFanout(Builder b) {
    this.registry = b.registry;
    this.audience = b.audience;
    this.batchWindow = b.batchWindow;
    this.maxDiffUsers = b.maxDiffUsers;
    this.visibility = new FanoutVisibility(b.registry, b.policy);
    this.windowDiffs = new WindowDiffs(b.registry, b.audience, visibility);
    this.ownsScheduler = b.scheduler == null && !b.batchWindow.isZero();
    this.scheduler = ownsScheduler ? Scheduler.daemonThread("presence-fanout") : b.scheduler;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Object();
    }
    this.subscription = registry.addListener(new PresenceListener() {
      @Override
      public void onTransition(PresenceEvent event) {
        PresenceFanout.this.onTransition(event);
      }

      @Override
      public void onUpdate(PresenceUpdate update) {
        PresenceFanout.this.onUpdate(update);
      }

      @Override
      public String toString() {
        return PresenceFanout.this.toString();
      }
    });
    if (!batchWindow.isZero()) {
      synchronized (lock) {
        for (String u : registry.onlineUsers()) {
          if (!window.changes.containsKey(u)) {
            online.put(u, StatusTexts.onlineNow(registry, u));
          }
        }
      }
    }
  }

  /**
   * Returns a builder for a fan-out over {@code registry}'s transitions to {@code audience}.
   *
   * @param registry where transitions come from and messages go out
   * @param audience who hears about whom
   * @return a new builder with batch window 0 and {@code maxDiffUsers} 1,000
   * @throws NullPointerException if an argument is null
   */
  public static Builder builder(PresenceRegistry registry, Audience audience) {
    return new Builder(Objects.requireNonNull(registry, "registry"),
        Objects.requireNonNull(audience, "audience"));
  }

  /**
   * Sends {@code session} the {@code presence_state} of its user's audience: what the user may
   * see of every member (online flag, status, and status text and last active where the policy
   * allows), the user themselves excluded. Call it once the session is registered
   * (right after {@link PresenceRegistry#connect}); diffs sent afterwards apply on top of it.
   * Cost: O(audience) map lookups, no I/O.
   *
   * @param session the session that just connected; nothing is sent if it is already closed
   * @param send delivers the text to that one session; must not block (like
   *     {@link Outbound#send}), and is called at most once, on the calling thread
   * @throws NullPointerException if an argument is null
   */
  public void sendState(PresenceSession session, Consumer<String> send) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(send, "send");
    String viewer = session.userId();
    synchronized (stripe(viewer)) {
      if (closed || !session.isOpen()) {
        return;
      }
      send.accept(stateOf(viewer));
      messages.incrementAndGet();
    }
  }

  /** The state message of {@code viewer}; registers the state in the window when batching. */
  private String stateOf(String viewer) {
    Collection<String> members = audience.audienceOf(viewer);
    Map<String, VisiblePresence> users = new TreeMap<>();
    if (batchWindow.isZero()) {
      for (String m : members) {
        if (!m.equals(viewer)) {
          Visibility v = visibility.of(viewer, m);
          users.put(m, v.presence() ? Shown.of(v).apply(registry.visiblePresence(viewer, m)) // invisibility too
              : VisiblePresence.offline(m));
        }
      }
    } else {
      synchronized (lock) { // one cut of the window: later changes carry a higher sequence number
        for (String m : members) {
          if (!m.equals(viewer)) {
            VisiblePresence p = online.get(m);
            Visibility v = p == null ? Visibility.NONE : visibility.of(viewer, m);
            users.put(m, v.presence() ? Shown.of(v).apply(withLatestActivity(p)) : VisiblePresence.offline(m));
          }
        }
        window.states.putIfAbsent(viewer, seq);
      }
    }
    return FanoutMessages.state(users);
  }

  /**
   * A user the fan-out's events say is online, as of their latest event, with the latest activity
   * the registry knows (activity alone fires no event).
   */
  private VisiblePresence withLatestActivity(VisiblePresence p) {
    Instant active = registry.lastActive(p.userId()).orElse(null);
    if (active == null || (p.lastActive() != null && !active.isAfter(p.lastActive()))) {
      return p;
    }
    return new VisiblePresence(p.userId(), true, p.status(), p.statusText(), active, null);
  }

  /**
   * Returns the batch window.
   *
   * @return zero for immediate {@code user_status_changed} messages
   */
  public Duration batchWindow() {
    return batchWindow;
  }

  /**
   * Returns how many messages this fan-out has handed to recipients (counting one per recipient
   * user, whatever their number of sessions; states once per session).
   *
   * @return the count since it was built
   */
  public long messagesSent() {
    return messages.get();
  }

  /**
   * Returns how many times a recipient's diff was replaced by {@code presence_resync} and a
   * state because it would have listed more than {@code maxDiffUsers} users.
   *
   * @return the count since it was built
   */
  public long resyncs() {
    return resyncs.get();
  }

  /**
   * Stops the fan-out at once: no further message is sent, changes of the current window are
   * dropped, the listener is removed and a scheduler the fan-out created is stopped. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    subscription.close();
    synchronized (lock) {
      if (flushTimer != null) {
        flushTimer.cancel();
        flushTimer = null;
      }
      window = new DiffWindow();
    }
    if (ownsScheduler) {
      scheduler.close();
    }
  }

  // ------------------------------------------------------------------ transitions

  private void onTransition(PresenceEvent event) {
    if (closed) {
      return;
    }
    if (batchWindow.isZero()) {
      sendNow(event);
      return;
    }
    String u = event.userId();
    VisiblePresence fields = event.online() ? StatusTexts.onlineNow(registry, u) : null;
    synchronized (lock) {
      VisiblePresence before = event.online() ? online.put(u, fields) : online.remove(u);
      window.record(u, event.online(), fields, event.at(), before, ++seq);
      scheduleFlushLocked();
    }
  }

  /** Today's behaviour: one message per connected recipient, now. */
  private void sendNow(PresenceEvent event) {
    sendNow(StatusTexts.of(registry, event));
  }

  /**
   * A change of status or status text: with window 0 sent at once as {@code user_status_changed};
   * with a window, folded into the window (the latest fields win) and sent in its diffs. A
   * metadata-only update sends nothing.
   */
  private void onUpdate(PresenceUpdate update) {
    if (closed || !update.isVisibleChange()) {
      return;
    }
    if (batchWindow.isZero()) {
      sendNow(StatusTexts.of(registry, update));
      return;
    }
    String u = update.userId();
    VisiblePresence fields = StatusTexts.fieldsOf(update);
    synchronized (lock) {
      VisiblePresence before = online.get(u);
      if (before == null) {
        return; // not online as the fan-out's events tell: its online transition carries the fields
      }
      online.put(u, fields);
      window.update(u, fields, before, ++seq);
      scheduleFlushLocked();
    }
  }

  /** One message per connected recipient who may see the user, built once per way of showing. */
  private void sendNow(StatusTexts texts) {
    String subject = texts.userId();
    for (String member : audience.audienceOf(subject)) {
      if (member.equals(subject) || registry.sessionCount(member) == 0) {
        continue;
      }
      String message = texts.textFor(visibility.of(member, subject));
      if (message == null) {
        continue; // may not see the user: not told anything
      }
      synchronized (stripe(member)) {
        if (!closed && registry.sendToUser(member, message) > 0) {
          messages.incrementAndGet();
        }
      }
    }
  }

  private void scheduleFlushLocked() {
    if (flushTimer != null || closed) {
      return;
    }
    try {
      flushTimer = scheduler.schedule(this::flush, batchWindow);
    } catch (RuntimeException e) {
      LOG.warn("Scheduler refused the presence fan-out flush; changes wait for the next one", e);
    }
  }

  // ------------------------------------------------------------------ flushing

  private void flush() {
    synchronized (flushLock) {
      DiffWindow w;
      synchronized (lock) {
        w = window;
        window = new DiffWindow();
        flushTimer = null;
      }
      if (closed || w.isEmpty()) {
        return;
      }
      try {
        send(windowDiffs.of(w));
      } catch (RuntimeException | Error e) {
        LOG.warn("Presence fan-out flush failed; {} changes dropped", w.changes.size(), e);
      }
    }
  }

  private void send(Map<String, Diff> diffs) {
    Map<Object, String> texts = new HashMap<>();
    for (Map.Entry<String, Diff> e : diffs.entrySet()) {
      String r = e.getKey();
      Diff d = e.getValue();
      int size = d.size();
      if (size == 0) {
        continue;
      }
      synchronized (stripe(r)) {
        if (closed) {
          return;
        }
        if (size > maxDiffUsers) {
          resyncs.incrementAndGet();
          if (registry.sendToUser(r, FanoutMessages.RESYNC) > 0) {
            registry.sendToUser(r, stateOf(r));
            messages.addAndGet(2);
          }
        } else {
          String text = texts.computeIfAbsent(d.key(), k -> d.text());
          if (registry.sendToUser(r, text) > 0) {
            messages.incrementAndGet();
          }
        }
      }
    }
  }

  private Object stripe(String userId) {
    int h = userId.hashCode();
    return stripes[(h ^ (h >>> 16)) & (STRIPES - 1)];
  }

  @Override
  public String toString() {
    return "PresenceFanout(batchWindow=" + batchWindow + ", " + audience + ")";
  }

  /**
   * Builds a {@link PresenceFanout}. Setters validate at once. Not thread-safe.
   */
  public static final class Builder {
    private static final Duration MAX_WINDOW = Duration.ofMinutes(1);
    private final PresenceRegistry registry;
    private final Audience audience;
    private Duration batchWindow = Duration.ZERO;
    private int maxDiffUsers = 1000;
    private PresencePolicy policy = PresencePolicy.everyone();
    private Scheduler scheduler;

    private Builder(PresenceRegistry registry, Audience audience) {
      this.registry = registry;
      this.audience = audience;
    }

    /**
     * Sets how long changes are collected before each recipient gets one {@code presence_diff}.
     * Zero (the default) sends one {@code user_status_changed} per transition at once.
     *
     * @param window zero, or a positive duration of at most one minute
     * @return this builder
     * @throws NullPointerException if {@code window} is null
     * @throws IllegalArgumentException if {@code window} is negative or longer than a minute
     */
    public Builder batchWindow(Duration window) {
      Objects.requireNonNull(window, "batchWindow");
      if (window.isNegative()) {
        throw new IllegalArgumentException("batchWindow must not be negative: " + window);
      }
      if (window.compareTo(MAX_WINDOW) > 0) {
        throw new IllegalArgumentException("batchWindow must be at most PT1M: " + window);
      }
      this.batchWindow = window;
      return this;
    }

    /**
     * Sets the most users one {@code presence_diff} may list. A recipient whose diff for a
     * window would list more gets {@code presence_resync} and a fresh {@code presence_state}
     * instead. Default 1,000.
     *
     * @param max a positive count
     * @return this builder
     * @throws IllegalArgumentException if {@code max} is not positive
     */
    public Builder maxDiffUsers(int max) {
      if (max <= 0) {
        throw new IllegalArgumentException("maxDiffUsers must be positive: " + max);
      }
      this.maxDiffUsers = max;
      return this;
    }

    /**
     * Sets who may see whom. A subject a recipient may not see ({@link Visibility#presence()}
     * false) looks offline to it: absent from its diffs and offline in its states; with window 0
     * it gets no {@code user_status_changed} about that subject. Status text and last active /
     * last seen are shown only where both this policy and the registry's allow. Default
     * {@link PresencePolicy#everyone()}: the registry's policy alone decides.
     *
     * @param policy the policy; called once per recipient and subject on every output path
     * @return this builder
     * @throws NullPointerException if {@code policy} is null
     */
    public Builder policy(PresencePolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Sets the scheduler that ends batch windows. Default: a daemon thread of the fan-out's
     * own, stopped by {@link PresenceFanout#close()}; a scheduler given here is not closed.
     *
     * @param scheduler the scheduler
     * @return this builder
     * @throws NullPointerException if {@code scheduler} is null
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Builds the fan-out and starts listening to the registry.
     *
     * @return the running fan-out; close it to stop
     */
    public PresenceFanout build() {
      return new PresenceFanout(this);
    }
  }
}
