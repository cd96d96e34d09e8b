package dev.presence;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
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
 * With a batch window, a session's state comes at the end of the window it was registered in,
 * cut when that window closed, before any diff of that window reaches its user.
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
  /** Batched over a ThreadMembership: each thread's connected members, what the flush walks. */
  private final @Nullable OnlineMembers onlineMembers;
  private final FanoutStates states;
  private final Scheduler scheduler;
  private final boolean ownsScheduler;
  /** Per-recipient send order: every message to a recipient goes out under its stripe. */
  private final Object[] stripes = new Object[STRIPES];
  /** Serializes flushes, should the scheduler run two at once. */
  private final Object flushLock = new Object();
  /** The open window and the online users as the events tell (batched mode). */
  private final FanoutWindow window;
  private final AtomicLong messages = new AtomicLong();
  private final AtomicLong resyncs = new AtomicLong();
  private volatile boolean closed;
  private final Subscription subscription;

  private PresenceFanout(Builder b) {
    this.registry = b.registry;
    this.audience = b.audience;
    this.batchWindow = b.batchWindow;
    this.maxDiffUsers = b.maxDiffUsers;
    this.visibility = new FanoutVisibility(b.registry, b.policy);
    this.onlineMembers = !b.batchWindow.isZero() && b.audience instanceof ThreadMembership t
        ? t.newOnlineIndex() : null;
    this.windowDiffs = new WindowDiffs(b.registry, b.audience, visibility, onlineMembers);
    this.states = new FanoutStates(b.registry, b.audience, visibility);
    this.ownsScheduler = b.scheduler == null && !b.batchWindow.isZero();
    this.scheduler = ownsScheduler ? Scheduler.daemonThread("presence-fanout") : b.scheduler;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Object();
    }
    this.window = new FanoutWindow(scheduler, batchWindow, this::flush);
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
      Set<String> already = registry.onlineUsers();
      if (onlineMembers != null) {
        already.forEach(onlineMembers::add); // a stale one is dropped by the first flush that meets it
      }
      window.start(already, registry);
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
   *
   * <ul>
   *   <li><b>Batch window 0:</b> sent at once, on the calling thread. Cost: O(audience) map
   *       lookups and one serialization per entry, no I/O.
   *   <li><b>Batch window &gt; 0:</b> sent at the end of the current window (at most one window
   *       later), on the flushing thread, cut at the instant the window closed, so the session
   *       needs no diff for that window. Cost here: O(1) (one entry in the window). At the flush,
   *       all states of the window are built together: each member of their audiences is
   *       serialized once per way of showing and each state is a concatenation of those entries
   *       (see docs/fanout.md). A session closed by then gets nothing.
   * </ul>
   *
   * @param session the session that just connected; nothing is sent if it is closed before its
   *     state is
   * @param send delivers the text to that one session; must not block (like
   *     {@link Outbound#send}) and must be thread-safe; called at most once (with a window, on
   *     the fan-out's scheduler thread, and it is held until then)
   * @throws NullPointerException if an argument is null
   */
  public void sendState(PresenceSession session, Consumer<String> send) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(send, "send");
    if (!batchWindow.isZero()) {
      if (!closed && session.isOpen()) {
        if (onlineMembers != null) {
          onlineMembers.add(session.userId()); // also how the index learns of an invisible user
        }
        window.addPending(new FanoutStates.Pending(session, send));
      }
      return;
    }
    String viewer = session.userId();
    synchronized (stripe(viewer)) {
      if (closed || !session.isOpen()) {
        return;
      }
      send.accept(stateOf(viewer));
      messages.incrementAndGet();
    }
  }

  /**
   * The state message of {@code viewer} alone: with window 0 for {@link #sendState}; with a window
   * after a {@code presence_resync} (then registered in the open window).
   */
  private String stateOf(String viewer) {
    return states.single(viewer, batchWindow.isZero() ? null : window);
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
    window.close();
    if (onlineMembers != null && audience instanceof ThreadMembership threads) {
      threads.removeOnlineIndex(onlineMembers);
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
    if (onlineMembers != null) { // before the window has the change: its flush must find u
      if (event.online()) {
        onlineMembers.add(u);
      } else {
        onlineMembers.removeIf(u, x -> registry.sessionCount(x) == 0); // invisible: still hears
      }
    }
    window.transition(u, event.online(), fields, event.at());
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
    window.update(update.userId(), StatusTexts.fieldsOf(update));
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

  // ------------------------------------------------------------------ flushing

  private void flush() {
    synchronized (flushLock) {
      DiffWindow w = window.swap();
      if (closed || w.isEmpty()) {
        return;
      }
      try {
        Map<String, Integer> stated = w.pending.isEmpty() ? Map.of() : sendStates(w.pending);
        send(windowDiffs.of(w), stated);
      } catch (RuntimeException | Error e) {
        LOG.warn("Presence fan-out flush failed; {} changes and {} states dropped", w.changes.size(),
            w.pending.size(), e);
      }
    }
  }

  /**
   * Sends the window's waiting sessions their states, cut at the end of the window: what the
   * fan-out showed of each member when it closed, which is the start of the next window (the
   * changes since are that window's, and its diffs are relative to exactly this). Returns, per
   * user, how many of their sessions got a state.
   */
  private Map<String, Integer> sendStates(List<FanoutStates.Pending> pending) {
    FanoutStates.Batch batch = states.batch(pending);
    window.cutAtLastSwap(batch);
    batch.addLatestActivity();
    Map<String, Integer> stated = new HashMap<>();
    for (Map.Entry<String, List<FanoutStates.Pending>> e : batch.sessions().entrySet()) {
      String viewer = e.getKey();
      String text = batch.text(viewer); // shared by the viewer's sessions
      synchronized (stripe(viewer)) {
        for (FanoutStates.Pending p : e.getValue()) {
          if (closed) {
            return stated;
          }
          if (!p.session().isOpen()) {
            continue;
          }
          try {
            p.send().accept(text);
            messages.incrementAndGet();
            stated.merge(viewer, 1, Integer::sum);
          } catch (RuntimeException ex) {
            LOG.warn("Sending the presence state of user '{}' failed", viewer, ex);
          }
        }
      }
    }
    return stated;
  }

  /**
   * Sends the window's diffs; a user whose every session just got its state (cut at the end of
   * this window) needs none.
   */
  private void send(Map<String, Diff> diffs, Map<String, Integer> stated) {
    Map<Object, String> texts = new HashMap<>();
    for (Map.Entry<String, Diff> e : diffs.entrySet()) {
      String r = e.getKey();
      Diff d = e.getValue();
      int size = d.size();
      if (size == 0) {
        continue;
      }
      Integer fresh = stated.get(r);
      if (fresh != null && fresh >= registry.sessionCount(r)) {
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
