package dev.presence.redis;

import dev.presence.PresenceEvent;
import dev.presence.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's replica of the cluster, free of any transport: which users this node holds, what
 * it knows of every other node (its users, the last sequence number applied, whether it is in
 * sync), and how many nodes hold each user. It takes channel messages and snapshots as input and
 * produces cluster transitions, which it queues on an {@link EventDelivery}.
 *
 * <p>Sequencing: a message from node N is applied if its sequence number is the next one,
 * dropped if it is not newer, and otherwise (a gap, or N's set was replaced) makes this node
 * reload N: it buffers N's messages, asks for a snapshot (set and sequence number, read
 * atomically), replaces its view of N with it, firing only the real differences, then applies
 * the buffered messages newer than the snapshot. A user is online while any view (or this node)
 * holds them; events fire on the 0→1 and 1→0 edges of that count, so they are ordered,
 * alternating and exactly once by construction.
 *
 * <p>Threading: every method not marked otherwise must be called on the loop, the one serial
 * executor given to the constructor; snapshot replies and timers come back onto it. The lookups
 * marked "any thread" read concurrent maps written only by the loop.
 */
final class ClusterState {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterState.class);

  private final String self;
  private final Function<String, CompletableFuture<ClusterTransport.Snapshot>> snapshots;
  private final Executor loop;
  private final Scheduler scheduler;
  private final Clock clock;
  private final Duration orphanGrace;
  private final EventDelivery events;
  private final Runnable onLoadFailure;
  /** user -> how many nodes (this one included) hold them; written by the loop only. */
  private final ConcurrentHashMap<String, Integer> clusterCount = new ConcurrentHashMap<>();
  /** user -> how many other nodes hold them; written by the loop only. */
  private final ConcurrentHashMap<String, Integer> remoteCount = new ConcurrentHashMap<>();
  private final AtomicLong snapshotsLoaded = new AtomicLong();
  private final Set<String> own = new HashSet<>();
  private final Map<String, NodeView> views = new HashMap<>();
  private boolean stopped;

  /**
   * @param self this node's id; its own messages are not for this class
   * @param snapshots reads one node's snapshot from the store
   * @param loop the serial executor owning this state
   * @param scheduler runs the orphan timers
   * @param orphanGrace how long a node the store knows nothing of keeps its users (a lease TTL)
   * @param onLoadFailure told (on the loop) when a snapshot could not be read
   */
  ClusterState(String self, Function<String, CompletableFuture<ClusterTransport.Snapshot>> snapshots,
      Executor loop, Scheduler scheduler, Clock clock, Duration orphanGrace, EventDelivery events,
      Runnable onLoadFailure) {
    this.self = self;
    this.snapshots = snapshots;
    this.loop = loop;
    this.scheduler = scheduler;
    this.clock = clock;
    this.orphanGrace = orphanGrace;
    this.events = events;
    this.onLoadFailure = onLoadFailure;
  }

  // ------------------------------------------------------------------ lookups (any thread)

  /** Any thread: whether another node holds the user, as far as this node knows. */
  boolean heldElsewhere(String user) {
    return remoteCount.containsKey(user);
  }

  /** Any thread: users held by other nodes (a snapshot). */
  Set<String> heldElsewhere() {
    return new HashSet<>(remoteCount.keySet());
  }

  /** Any thread: users online in the cluster. */
  int onlineUserCount() {
    return clusterCount.size();
  }

  /** Any thread: snapshots read so far. */
  long snapshotsLoaded() {
    return snapshotsLoaded.get();
  }

  // ------------------------------------------------------------------ this node's users

  /** Records that this node holds the user; returns false if it already did. */
  boolean addOwn(String user, Instant at) {
    if (!own.add(user)) {
      return false;
    }
    increment(user, at, false);
    return true;
  }

  /** Records that this node no longer holds the user; returns false if it did not. */
  boolean removeOwn(String user, Instant at) {
    if (!own.remove(user)) {
      return false;
    }
    decrement(user, at, false);
    return true;
  }

  /** This node's users: a live, unmodifiable view (loop only). */
  Set<String> own() {
    return Collections.unmodifiableSet(own);
  }

  /** Who holds whom, this node included: user -> node ids (a new map, loop only). */
  Map<String, Set<String>> holders() {
    Map<String, Set<String>> m = new HashMap<>();
    for (String u : own) {
      m.computeIfAbsent(u, k -> new HashSet<>()).add(self);
    }
    for (NodeView v : views.values()) {
      for (String u : v.users) {
        m.computeIfAbsent(u, k -> new HashSet<>()).add(v.node);
      }
    }
    return m;
  }

  /** Stops reacting to replies and timers; what is known stays readable. */
  void stop() {
    stopped = true;
    for (NodeView v : views.values()) {
      cancelOrphanTimer(v);
    }
  }

  // ------------------------------------------------------------------ other nodes

  /** Applies a message from another node, or buffers it and reloads that node. */
  void accept(Message m) {
    if (stopped || m.node().equals(self)) {
      return;
    }
    accept(views.computeIfAbsent(m.node(), NodeView::new), m);
  }

  /**
   * Reloads every node in {@code listed} and every node already known (messages may have been
   * missed): each buffers its messages until its snapshot is in.
   *
   * @return completes when every snapshot is applied; fails if one could not be read
   */
  CompletableFuture<Void> reloadAll(Collection<String> listed) {
    Set<String> all = new HashSet<>(listed);
    all.addAll(views.keySet());
    all.remove(self);
    List<CompletableFuture<Void>> loads = new ArrayList<>();
    for (String node : all) {
      NodeView v = views.computeIfAbsent(node, NodeView::new);
      v.synced = false;
      loads.add(load(v));
    }
    return CompletableFuture.allOf(loads.toArray(new CompletableFuture<?>[0]));
  }

  private void accept(NodeView v, Message m) {
    if (!v.synced) {
      v.buffer.add(m);
      if (!v.loading) {
        load(v).exceptionally(ex -> null); // the failure handler already ran
      }
      return;
    }
    if (m.seq() <= v.seq) {
      return; // already reflected
    }
    if (m.op() == Message.REPLACED || m.seq() != v.seq + 1) {
      v.synced = false;
      v.buffer.add(m);
      load(v).exceptionally(ex -> null);
      return;
    }
    v.seq = m.seq();
    Instant at = Instant.ofEpochMilli(m.millis());
    switch (m.op()) {
      case Message.ONLINE -> {
        if (v.users.add(m.user())) {
          increment(m.user(), at, true);
        }
      }
      case Message.OFFLINE -> {
        if (v.users.remove(m.user())) {
          decrement(m.user(), at, true);
        }
      }
      default -> { // DEPARTED
        v.joined = false;
        replaceUsers(v, Set.of(), at);
        retireIfIdle(v);
      }
    }
  }

  @SuppressWarnings("FutureReturnValueIgnored") // the handler completes `done`, which is returned
  private CompletableFuture<Void> load(NodeView v) {
    v.loading = true;
    v.receivedBeforeRequest = v.buffer.size();
    long generation = ++v.loadGeneration;
    CompletableFuture<Void> done = new CompletableFuture<>();
    CompletableFuture<ClusterTransport.Snapshot> read;
    try {
      read = snapshots.apply(v.node);
    } catch (RuntimeException e) {
      read = CompletableFuture.failedFuture(e);
    }
    read.whenCompleteAsync((snapshot, ex) -> {
      try {
        if (generation == v.loadGeneration && !stopped) {
          onSnapshot(v, snapshot, ex);
        }
      } finally {
        if (ex != null) {
          done.completeExceptionally(ex);
        } else {
          done.complete(null);
        }
      }
    }, loop);
    return done;
  }

  private void onSnapshot(NodeView v, ClusterTransport.Snapshot s, Throwable ex) {
    v.loading = false;
    if (ex != null) {
      onLoadFailure.run(); // stays unsynced and buffering; the recovery reloads it
      return;
    }
    snapshotsLoaded.incrementAndGet();
    Instant now = clock.instant();
    if (s.joined() || s.seq() > 0) {
      cancelOrphanTimer(v);
      v.joined = s.joined();
      replaceUsers(v, s.joined() ? s.users() : Set.of(), now);
      v.seq = s.seq();
    } else {
      // The store knows nothing of this node: it lost its data (a restart). A live node rejoins
      // within a renewal interval of reconnecting; give it one lease TTL before believing it is
      // gone, so that a store restart does not take every remote user offline.
      v.seq = 0;
      v.joined = false;
      if (!v.users.isEmpty() && v.orphanTimer == null) {
        v.orphanTimer = scheduler.schedule(() -> loop.execute(() -> orphanExpired(v)), orphanGrace);
      }
    }
    v.synced = true;
    ArrayDeque<Message> buffered = v.buffer;
    int older = v.receivedBeforeRequest;
    v.buffer = new ArrayDeque<>();
    for (Message m : buffered) {
      if (older-- > 0 && m.seq() > s.seq()) {
        // Received before the snapshot was asked for, yet newer than it: the store assigns a
        // number before publishing it, so no real message can be; a forgery or a replay from a
        // store that lost data. Dropping it keeps a bogus number from causing reload after reload.
        LOG.debug("Dropping {}: ahead of the snapshot of {} at {}", m, v.node, s.seq());
        continue;
      }
      accept(v, m);
    }
    retireIfIdle(v);
  }

  private void orphanExpired(NodeView v) {
    v.orphanTimer = null;
    if (views.get(v.node) != v || v.joined || stopped) {
      return;
    }
    LOG.info("Node {} did not rejoin within {}: its users are gone", v.node, orphanGrace);
    replaceUsers(v, Set.of(), clock.instant());
    retireIfIdle(v);
  }

  private void cancelOrphanTimer(NodeView v) {
    if (v.orphanTimer != null) {
      v.orphanTimer.cancel();
      v.orphanTimer = null;
    }
  }

  /** Forgets a node that left and holds nobody; a late message would simply reload it. */
  private void retireIfIdle(NodeView v) {
    if (v.synced && !v.joined && !v.loading && v.users.isEmpty() && v.buffer.isEmpty()
        && v.orphanTimer == null) {
      views.remove(v.node, v);
    }
  }

  private void replaceUsers(NodeView v, Set<String> next, Instant at) {
    for (var it = v.users.iterator(); it.hasNext(); ) {
      String u = it.next();
      if (!next.contains(u)) {
        it.remove();
        decrement(u, at, true);
      }
    }
    for (String u : next) {
      if (v.users.add(u)) {
        increment(u, at, true);
      }
    }
  }

  // ------------------------------------------------------------------ counting

  private void increment(String user, Instant at, boolean remote) {
    if (remote) {
      remoteCount.merge(user, 1, Integer::sum);
    }
    Integer n = clusterCount.get(user);
    if (n == null) {
      clusterCount.put(user, 1);
      events.publish(new PresenceEvent(user, true, at));
    } else {
      clusterCount.put(user, n + 1);
    }
  }

  private void decrement(String user, Instant at, boolean remote) {
    if (remote) {
      remoteCount.computeIfPresent(user, (k, c) -> c == 1 ? null : c - 1);
    }
    Integer n = clusterCount.get(user);
    if (n == null) {
      throw new IllegalStateException("replica count missing for " + user);
    }
    if (n == 1) {
      clusterCount.remove(user);
      events.publish(new PresenceEvent(user, false, at));
    } else {
      clusterCount.put(user, n - 1);
    }
  }

  /** What this node knows of another. Loop only. */
  private static final class NodeView {
    final String node;
    final Set<String> users = new HashSet<>();
    long seq;
    boolean joined = true;
    boolean synced;
    boolean loading;
    long loadGeneration;
    ArrayDeque<Message> buffer = new ArrayDeque<>();
    /** How many buffered messages were received before the pending snapshot was asked for. */
    int receivedBeforeRequest;
    Scheduler.Cancellable orphanTimer;

    NodeView(String node) {
      this.node = node;
    }
  }
}
