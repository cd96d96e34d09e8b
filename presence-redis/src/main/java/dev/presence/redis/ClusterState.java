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
import java.util.Objects;
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
 * holds them publicly and the user's cluster-wide availability (see {@link Aggregate}) is not
 * invisible; events fire on the edges of that, so they are ordered, alternating and exactly once
 * by construction.
 *
 * <p>Rich presence: every node's records (its {@link Contribution} per user) travel in the same
 * sequence as its transitions ({@code U} messages) and are part of its snapshot, so they follow
 * the same rules: applied in order, reloaded on a gap, dropped with the node. After every change
 * of a user's count or records, this class recomputes what listeners have been told of the user
 * (online, status, text, metadata) and queues the difference: a transition, or an update.
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
  private final Runnable onLoadFailure;
  private final RichListener rich;
  /** user -> how many nodes (this one included) hold them; written by the loop only. */
  private final ConcurrentHashMap<String, Integer> clusterCount = new ConcurrentHashMap<>();
  /** user -> how many other nodes hold them; written by the loop only. */
  private final ConcurrentHashMap<String, Integer> remoteCount = new ConcurrentHashMap<>();
  /** user -> node -> that node's record; immutable inner maps, written by the loop only. */
  private final ConcurrentHashMap<String, Map<String, Contribution>> remoteRecords =
      new ConcurrentHashMap<>();
  private final ToldState told;
  private final AtomicLong snapshotsLoaded = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
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
   * @param rich told (on the loop) of other nodes' records and routed changes
   */
  ClusterState(String self, Function<String, CompletableFuture<ClusterTransport.Snapshot>> snapshots,
      Executor loop, Scheduler scheduler, Clock clock, Duration orphanGrace, EventDelivery events,
      Runnable onLoadFailure, RichListener rich) {
    this.self = self;
    this.snapshots = snapshots;
    this.loop = loop;
    this.scheduler = scheduler;
    this.clock = clock;
    this.orphanGrace = orphanGrace;
    this.onLoadFailure = onLoadFailure;
    this.rich = rich;
    this.told = new ToldState(self, events, this::recordsOf);
  }

  /** What the node does with other nodes' rich presence. Called on the loop. */
  interface RichListener {
    /** Another node's record of {@code user} changed (or went). */
    void recordChanged(String user, Contribution record);

    /** A routed status change or erasure from {@code node}, in that node's order. */
    void routed(String node, Message m);
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

  /** Any thread: users online in the cluster (publicly: invisible users are not). */
  int onlineUserCount() {
    return told.onlineCount();
  }

  /** Any thread: other nodes' records of the user (node -> record; an immutable snapshot). */
  Map<String, Contribution> remoteRecords(String user) {
    Map<String, Contribution> m = remoteRecords.get(user);
    return m == null ? Map.of() : m;
  }

  /** Any thread: messages and records from Redis rejected as malformed. */
  long rejected() {
    return rejected.get();
  }

  /** Any thread: whether listeners were told the user is online. */
  boolean shownOnline(String user) {
    return told.online(user);
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

  /** Records this node's own contribution for a user (null: none); recomputes the user. */
  void setOwnRecord(String user, Contribution c, Instant at) {
    if (told.setOwnRecord(user, c)) {
      reconcile(user, at);
    }
  }

  /** Recomputes what listeners know of a user (e.g. a status text expired). Loop only. */
  void refresh(String user) {
    reconcile(user, clock.instant());
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
      case Message.RECORDS -> applyRecords(v, m, at);
      case Message.DIRECTIVE, Message.FORGET -> rich.routed(v.node, m);
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
        replaceRecords(v, Map.of(), at);
        retireIfIdle(v);
      }
    }
  }

  private void applyRecords(NodeView v, Message m, Instant at) {
    RichCodec.Decoded d;
    try {
      d = RichCodec.decodeBatch(m.user());
    } catch (RuntimeException e) {
      reject("records of node " + v.node + " (seq " + m.seq() + ")", e);
      return; // its sequence number is used up; the node's next snapshot has the truth
    }
    // offline first, then the records; records first, then online: listeners never hear of a
    // status change in between that is only an artefact of the order
    if (d.transition() == Message.OFFLINE && v.users.remove(d.user())) {
      decrement(d.user(), at, true);
    }
    for (RichCodec.Change ch : d.changes()) {
      putRecord(v, ch.user(), ch.contribution(), at);
    }
    if (d.transition() == Message.ONLINE && v.users.add(d.user())) {
      increment(d.user(), at, true);
    }
  }

  private void putRecord(NodeView v, String user, Contribution c, Instant at) {
    Contribution before = c == null ? v.records.remove(user) : v.records.put(user, c);
    if (Objects.equals(before, c)) {
      return;
    }
    publishRecords(user);
    if (c != null) {
      rich.recordChanged(user, c);
    }
    reconcile(user, at);
  }

  /** Replaces a view's records: new and changed ones, then (see below) the ones gone. */
  private void putRecords(NodeView v, Map<String, Contribution> next, Instant at) {
    for (Map.Entry<String, Contribution> e : next.entrySet()) {
      putRecord(v, e.getKey(), e.getValue(), at);
    }
  }

  /** Drops a view's records not in {@code next}: after its users, so no update precedes an offline. */
  private void replaceRecords(NodeView v, Map<String, Contribution> next, Instant at) {
    for (String user : new ArrayList<>(v.records.keySet())) {
      if (!next.containsKey(user)) {
        putRecord(v, user, null, at);
      }
    }
  }

  /** Rebuilds the readers' copy of the user's remote records. */
  private void publishRecords(String user) {
    Map<String, Contribution> m = recordsOf(user);
    if (m.isEmpty()) {
      remoteRecords.remove(user);
    } else {
      remoteRecords.put(user, Map.copyOf(m));
    }
  }

  private Map<String, Contribution> decodeRecords(String node, Map<String, String> raw) {
    Map<String, Contribution> out = new HashMap<>();
    for (Map.Entry<String, String> e : raw.entrySet()) {
      try {
        out.put(e.getKey(), RichCodec.decodeContribution(e.getValue()));
      } catch (RuntimeException ex) {
        reject("the record of user '" + e.getKey() + "' in node " + node + "'s snapshot", ex);
      }
    }
    return out;
  }

  /** Logs and counts something malformed that came from Redis. Loop only. */
  void reject(String what, RuntimeException e) {
    rejected.incrementAndGet();
    LOG.warn("Node {} ignores {}: {}", self, what, e.getMessage());
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
      Map<String, Contribution> records = s.joined() ? decodeRecords(v.node, s.records()) : Map.of();
      putRecords(v, records, now);
      replaceUsers(v, s.joined() ? s.users() : Set.of(), now);
      replaceRecords(v, records, now);
      v.seq = s.seq();
    } else {
      // The store knows nothing of this node: it lost its data (a restart). A live node rejoins
      // within a renewal interval of reconnecting; give it one lease TTL before believing it is
      // gone, so that a store restart does not take every remote user offline.
      v.seq = 0;
      v.joined = false;
      if ((!v.users.isEmpty() || !v.records.isEmpty()) && v.orphanTimer == null) {
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
    replaceRecords(v, Map.of(), clock.instant());
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
    if (v.synced && !v.joined && !v.loading && v.users.isEmpty() && v.records.isEmpty()
        && v.buffer.isEmpty() && v.orphanTimer == null) {
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

  // ------------------------------------------------------------------ counting and events

  private void increment(String user, Instant at, boolean remote) {
    if (remote) {
      remoteCount.merge(user, 1, Integer::sum);
    }
    clusterCount.merge(user, 1, Integer::sum);
    reconcile(user, at);
  }

  private void decrement(String user, Instant at, boolean remote) {
    if (remote) {
      remoteCount.computeIfPresent(user, (k, c) -> c == 1 ? null : c - 1);
    }
    if (clusterCount.computeIfPresent(user, (k, c) -> c == 1 ? null : c - 1) == null
        && !told.online(user)) {
      return;
    }
    reconcile(user, at);
  }

  private void reconcile(String user, Instant at) {
    told.reconcile(user, clusterCount.containsKey(user), at);
  }

  /** node -> record of the user, from every view (a new map; loop only). */
  private Map<String, Contribution> recordsOf(String user) {
    Map<String, Contribution> m = new HashMap<>();
    for (NodeView v : views.values()) {
      Contribution c = v.records.get(user);
      if (c != null) {
        m.put(v.node, c);
      }
    }
    return m;
  }

  /** What this node knows of another. Loop only. */
  private static final class NodeView {
    final String node;
    final Set<String> users = new HashSet<>();
    final Map<String, Contribution> records = new HashMap<>();
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
