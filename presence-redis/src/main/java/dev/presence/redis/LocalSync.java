package dev.presence.redis;

import dev.presence.ClientMessage;
import dev.presence.Scheduler;
import dev.presence.StatusText;
import dev.presence.UserPresence;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's side of rich presence: keeps the node's records (one {@link Contribution} per user
 * with a session here) in step with the local registry and announces their changes, and applies
 * other nodes' user-level changes to the local registry.
 *
 * <ul>
 *   <li><b>Announcing.</b> A user whose local state may have changed is marked dirty; a flush
 *       reads the local registry's raw view, and announces the users whose record changed, many
 *       per message ({@code U}, at most {@link RichCodec#BATCH_CHARS} each). Each user is
 *       announced at most once per {@link #MIN_INTERVAL} (10 per second); changes in between
 *       coalesce, so a client spamming {@code set_metadata} costs Redis at most that. A user
 *       going online on this node is flushed <em>before</em> the transition is published, so
 *       every node has the user's availability and text by the time it sees them online.
 *       Changes of the latest activity alone are picked up by the sweep that runs at every
 *       lease renewal, which also notices sessions the heartbeat evicted.
 *   <li><b>Adopting.</b> When another node's record of a user held here carries a newer
 *       {@link Stamp}, its availability and text are applied to the local registry (so local
 *       idle timers, invisibility and updates follow); routed changes ({@code S}, {@code F})
 *       likewise.
 * </ul>
 *
 * <p>Threading: the stamps and the stamp locks are used from any thread (the registry's
 * {@code setStatus}); everything else runs on the node's loop.
 */
final class LocalSync {
  private static final Logger LOG = LoggerFactory.getLogger(LocalSync.class);
  /** The shortest time between two announcements of one user's record. */
  static final Duration MIN_INTERVAL = Duration.ofMillis(100);
  private static final int STRIPES = 64;

  /** What this class needs of the local registry. */
  interface Local {
    Optional<UserPresence> presenceOf(String user);

    /** Whether the local registry has the user publicly online. */
    boolean isOnline(String user);

    boolean setStatus(String user, ClientMessage.SetStatus change);

    void forget(List<String> users);
  }

  /** Sends one announcement in the node's sequence; the node deals with the reply. */
  interface Sender {
    /**
     * Calls {@code op} with the node's latest sequence number, unless the node cannot publish
     * now (it announces everything again when it rejoins); returns whether it did.
     */
    boolean send(LongFunction<CompletableFuture<Long>> op);
  }

  private final String self;
  private final Local local;
  private final ClusterState state;
  private final ClusterTransport transport;
  private final Sender sender;
  private final Executor loop;
  private final Scheduler scheduler;
  private final Clock clock;
  private final LongSupplier nanos;
  private final long minIntervalNanos = MIN_INTERVAL.toNanos();
  private final ConcurrentHashMap<String, Stamp> stamps = new ConcurrentHashMap<>();
  private final AtomicLong clockVersion = new AtomicLong();
  private final Object[] stripes = new Object[STRIPES];

  // loop only
  private final Map<String, Contribution> announced = new HashMap<>();
  private final Map<String, Long> announcedAt = new HashMap<>();
  private final Set<String> dirty = new LinkedHashSet<>();
  private Scheduler.Cancellable flushTimer;
  private boolean stopped;
  private boolean flushQueued;

  LocalSync(String self, Local local, ClusterState state, ClusterTransport transport,
      Sender sender, Executor loop, Scheduler scheduler, Clock clock, LongSupplier nanos) {
    this.self = self;
    this.local = local;
    this.state = state;
    this.transport = transport;
    this.sender = sender;
    this.loop = loop;
    this.scheduler = scheduler;
    this.clock = clock;
    this.nanos = nanos;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Object();
    }
  }

  // ================================================================ stamps (any thread)

  /** A stamp newer than every one this node has issued or seen. */
  Stamp nextStamp() {
    long wall = clock.millis() * 1000;
    return new Stamp(clockVersion.updateAndGet(v -> Math.max(v + 1, wall)), self);
  }

  /** The stamp of the user-level state this node applies to the user (NONE if unknown). */
  Stamp stampOf(String user) {
    return stamps.getOrDefault(user, Stamp.NONE);
  }

  /**
   * Runs a change of the local registry's user-level state with the stamp it is made under,
   * so that no other change of the same user on this node interleaves between the two.
   */
  <T> T underStamp(String user, Stamp stamp, Supplier<T> change) {
    synchronized (stripes[Math.floorMod(user.hashCode(), STRIPES)]) {
      stamps.merge(user, stamp, (a, b) -> b.isAfter(a) ? b : a);
      return change.get();
    }
  }

  /**
   * Like {@link #underStamp}, for a user connecting here while this node does not have them:
   * the stamp replaces whatever this node still keeps of an earlier session, since the state
   * taken at connect is that of {@code stamp}.
   */
  <T> T startUnderStamp(String user, Stamp stamp, Supplier<T> connect) {
    synchronized (stripes[Math.floorMod(user.hashCode(), STRIPES)]) {
      stamps.put(user, stamp);
      return connect.get();
    }
  }

  private void observe(Stamp s) {
    clockVersion.accumulateAndGet(s.version(), Math::max);
  }

  // ================================================================ announcing (loop)

  /** The user's local state may have changed. */
  void touched(String user) {
    if (dirty.add(user)) {
      scheduleFlush(0);
    }
  }

  /**
   * Takes the change of the user's record now, for the node to send with a node-level
   * transition; null if the record is unchanged.
   */
  RichCodec.Change changeNow(String user) {
    dirty.remove(user);
    List<RichCodec.Change> changes = new ArrayList<>(1);
    collect(user, changes, true);
    return changes.isEmpty() ? null : changes.get(0);
  }

  /** Checks every user this node has (the sweep at every renewal). */
  void sweep() {
    Set<String> all = new HashSet<>(announced.keySet());
    all.addAll(state.own());
    dirty.addAll(all);
    flush();
  }

  /** The node rejoined: Redis has none of its records any more; announce them all again. */
  void rejoined() {
    dirty.addAll(announced.keySet());
    dirty.addAll(state.own());
    announced.clear();
    announcedAt.clear();
    flush();
  }

  void stop() {
    stopped = true;
    if (flushTimer != null) {
      flushTimer.cancel();
      flushTimer = null;
    }
  }

  private void flush() {
    if (stopped) {
      return;
    }
    long now = nanos.getAsLong();
    long wait = Long.MAX_VALUE;
    List<RichCodec.Change> changes = new ArrayList<>();
    for (var it = dirty.iterator(); it.hasNext(); ) {
      String user = it.next();
      Long last = announcedAt.get(user);
      if (last != null && now - last < minIntervalNanos) {
        wait = Math.min(wait, minIntervalNanos - (now - last));
        continue;
      }
      it.remove();
      collect(user, changes, false);
    }
    send(changes);
    if (!dirty.isEmpty()) {
      scheduleFlush(wait == Long.MAX_VALUE ? minIntervalNanos : wait);
    }
  }

  /**
   * Adds the change of the user's record to {@code out}, if any. Unless {@code transition}, a
   * change that a node-level transition of the user about to be published will carry is left
   * to it (one script call instead of two).
   */
  private void collect(String user, List<RichCodec.Change> out, boolean transition) {
    Stamp stamp = stamps.get(user); // read first: a connect racing with this sets a new one
    Contribution c = local.presenceOf(user).map(p -> Contribution.of(p, stampOf(user)))
        .orElse(null);
    if (!transition) {
      boolean held = state.own().contains(user);
      if (c == null ? held : !held && local.isOnline(user)) {
        return; // the local transition is on its way to this loop
      }
    }
    Contribution before = announced.get(user);
    Instant at = clock.instant();
    if (c == null) {
      if (stamp != null) {
        stamps.remove(user, stamp); // unless a connect meanwhile set a new one
      }
      if (before != null) {
        announced.remove(user);
        announcedAt.remove(user);
        out.add(new RichCodec.Change(user, null));
      }
      state.setOwnRecord(user, null, at); // also after a rejoin, when nothing was announced yet
      return;
    }
    if (c.equals(before)) {
      return;
    }
    announced.put(user, c);
    announcedAt.put(user, nanos.getAsLong());
    out.add(new RichCodec.Change(user, c));
    state.setOwnRecord(user, c, at);
  }

  private void send(List<RichCodec.Change> changes) {
    if (changes.isEmpty()) {
      return;
    }
    long millis = clock.millis();
    for (RichCodec.Batch b : RichCodec.encodeBatches(changes)) {
      if (!sender.send(lastSeq -> transport.records(b, lastSeq, millis))) {
        return; // not joined: the rejoin announces everything
      }
    }
  }

  private void scheduleFlush(long delayNanos) {
    if (delayNanos == 0 && !flushQueued && !stopped) {
      flushQueued = true; // next on the loop: before anything submitted after this change
      loop.execute(() -> {
        flushQueued = false;
        flush();
      });
      return;
    }
    if (flushTimer == null && !stopped) {
      try {
        flushTimer = scheduler.schedule(() -> loop.execute(() -> {
          flushTimer = null;
          flush();
        }), Duration.ofNanos(delayNanos));
      } catch (RuntimeException e) { // shutting down
        LOG.debug("Node {}: flush not scheduled", self, e);
      }
    }
  }

  // ================================================================ adopting (loop)

  /** Another node's record of the user changed: adopt its state if it is newer than ours. */
  void remoteRecord(String user, Contribution c) {
    observe(c.stamp());
    if (!c.stamp().isAfter(stampOf(user))) {
      return;
    }
    Optional<UserPresence> mine = local.presenceOf(user);
    if (mine.isEmpty()) {
      return;
    }
    Instant now = clock.instant();
    StatusText text = c.textAt(now);
    StatusText myText = mine.get().statusText();
    if (mine.get().availability() == c.availability() && Objects.equals(myText, text)) {
      stamps.merge(user, c.stamp(), (a, b) -> b.isAfter(a) ? b : a);
    } else {
      apply(user, c.stamp(), new ClientMessage.SetStatus(c.availability(), true, text));
    }
    touched(user);
  }

  /** A routed status change or erasure from another node (or this one). */
  void routed(String node, Message m) {
    try {
      if (m.op() == Message.DIRECTIVE) {
        RichCodec.Directive d = RichCodec.decodeDirective(m.user());
        observe(d.stamp());
        if (d.stamp().isAfter(stampOf(d.user())) && local.presenceOf(d.user()).isPresent()) {
          ClientMessage.SetStatus change = d.change();
          StatusText t = change.statusText();
          if (t != null && t.isExpiredAt(clock.instant())) {
            change = new ClientMessage.SetStatus(change.availability(), true, null);
          }
          apply(d.user(), d.stamp(), change);
          touched(d.user());
        }
      } else {
        RichCodec.Forget f = RichCodec.decodeForget(m.user());
        observe(f.stamp());
        forgetRouted(f);
      }
    } catch (RuntimeException e) {
      state.reject(Message.abbreviate(m.format()) + " from node " + node, e);
    }
  }

  /**
   * The local registry has just forgotten the users (this node's {@code forget}): those it has
   * take the erasure's stamp, and their records are announced again without text and activity.
   */
  void forgetHere(List<String> users, Stamp stamp) {
    for (String user : users) {
      Optional<UserPresence> p = local.presenceOf(user);
      if (p.isPresent()) {
        // the state the erasure leaves, under its stamp: also right for a session that
        // connected after the local registry forgot (it took an earlier state)
        apply(user, stamp, new ClientMessage.SetStatus(p.get().availability(), true, null));
        touched(user);
      }
    }
  }

  /**
   * What to tell the other nodes of an erasure made here: for each user this node knows of (its
   * own, or another node's record), the availability that applies with the text cleared; users
   * no node is known to have are left out (nothing of them is kept anywhere this node knows of).
   */
  RichCodec.Forget forgetting(List<String> users, Stamp stamp) {
    List<String> known = new ArrayList<>();
    List<dev.presence.Availability> availabilities = new ArrayList<>();
    for (String user : users) {
      Optional<UserPresence> mine = local.presenceOf(user);
      dev.presence.Availability a = mine.map(UserPresence::availability).orElse(null);
      if (a == null) {
        Contribution latest = null;
        for (Contribution c : state.remoteRecords(user).values()) {
          if (latest == null || c.stamp().isAfter(latest.stamp())) {
            latest = c;
          }
        }
        a = latest == null ? null : latest.availability();
      }
      if (a != null) {
        known.add(user);
        availabilities.add(a);
      }
    }
    return new RichCodec.Forget(known, availabilities, stamp);
  }

  /**
   * Another node's erasure: each user this node has forgets the text and activity, and takes
   * the erasure's state (the given availability, no text) under its stamp, unless a newer
   * change already applies here (then that change, made after the erasure, stands).
   */
  private void forgetRouted(RichCodec.Forget f) {
    List<String> held = new ArrayList<>();
    List<dev.presence.Availability> availabilities = new ArrayList<>();
    for (int i = 0; i < f.users().size(); i++) {
      String user = f.users().get(i);
      if (f.stamp().isAfter(stampOf(user)) && local.presenceOf(user).isPresent()) {
        held.add(user);
        availabilities.add(f.availabilities().get(i));
      }
    }
    if (held.isEmpty()) {
      return;
    }
    local.forget(held); // one call: the last-seen store forgets them in one batch
    for (int i = 0; i < held.size(); i++) {
      apply(held.get(i), f.stamp(),
          new ClientMessage.SetStatus(availabilities.get(i), true, null));
      touched(held.get(i));
    }
  }

  /**
   * Applies another node's change (a whole user-level state) if it is still newer than what
   * applies here: checked under the user's stamp lock, so that a change made here meanwhile
   * (always newer) is never overwritten by an older one.
   */
  private void apply(String user, Stamp stamp, ClientMessage.SetStatus change) {
    try {
      synchronized (stripes[Math.floorMod(user.hashCode(), STRIPES)]) {
        if (!stamp.isAfter(stampOf(user))) {
          return;
        }
        stamps.put(user, stamp);
        local.setStatus(user, change);
      }
    } catch (RuntimeException e) {
      LOG.warn("Node {} could not apply the status change {} of user '{}'", self, change, user, e);
    }
  }
}
