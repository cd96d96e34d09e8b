package dev.presence.redis;

import dev.presence.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this node knows of one other node (its users, its records of them, the last sequence
 * number applied), and the sequencing rules that node's messages follow. A message is applied if
 * its sequence number is the next one and dropped if it is not newer; a gap, or the node's set
 * being replaced, makes this view buffer the node's messages, ask for a snapshot (set, records
 * and sequence number, read atomically), replace itself with it, and then apply the buffered
 * messages newer than the snapshot. A node the store knows nothing of keeps its users for an
 * orphan grace (a lease TTL) before they are gone.
 *
 * <p>Every change of the node's users or records is handed to the {@link Owner} (the {@link
 * ClusterState}), which counts holders and tells listeners; this class only keeps the view in
 * step with the node's sequence.
 *
 * <p>Not thread-safe: used on the cluster loop only (snapshot replies and timers come back onto
 * it).
 */
final class NodeView {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterState.class);

  /** What a view needs from the replica it belongs to. Called on the loop. */
  interface Owner {
    /** Reads the node's snapshot from the store; may fail the future or throw. */
    CompletableFuture<ClusterTransport.Snapshot> snapshot(String node);

    /** The serial executor the replica lives on. */
    Executor loop();

    /** Runs {@code task} on the loop after the orphan grace. */
    Scheduler.Cancellable afterOrphanGrace(Runnable task);

    /** How long a node the store forgot keeps its users. */
    Duration orphanGrace();

    Instant now();

    /** Whether the replica stopped reacting to replies and timers. */
    boolean stopped();

    /** Whether {@code view} is still the replica's view of its node. */
    boolean holds(NodeView view);

    /** Forgets {@code view}: its node left and holds nobody. */
    void retire(NodeView view);

    /** A snapshot was read ({@code ok}) or could not be ({@code !ok}). */
    void snapshotRead(boolean ok);

    /** The node now holds {@code user}. */
    void userGained(String user, Instant at);

    /** The node no longer holds {@code user}. */
    void userLost(String user, Instant at);

    /** The node's record of {@code user} changed ({@code null}: it has none any more). */
    void recordChanged(String user, @Nullable Contribution record, Instant at);

    /** A routed status change or erasure from the node, in the node's order. */
    void routed(String node, Message m);

    /** Something malformed came from Redis. */
    void reject(String what, RuntimeException e);
  }

  final String node;
  private final Owner owner;
  final Set<String> users = new HashSet<>();
  final Map<String, Contribution> records = new HashMap<>();
  private long seq;
  private boolean joined = true;
  private boolean synced;
  private boolean loading;
  private long loadGeneration;
  private ArrayDeque<Message> buffer = new ArrayDeque<>();
  /** How many buffered messages were received before the pending snapshot was asked for. */
  private int receivedBeforeRequest;
  private Scheduler.@Nullable Cancellable orphanTimer;

  NodeView(String node, Owner owner) {
    this.node = node;
    this.owner = owner;
  }

  /** Applies a message from the node, or buffers it and reloads the node. */
  void accept(Message m) {
    if (!synced) {
      buffer.add(m);
      if (!loading) {
        load().exceptionally(ex -> null); // the failure handler already ran
      }
      return;
    }
    if (m.seq() <= seq) {
      return; // already reflected
    }
    if (m.op() == Message.REPLACED || m.seq() != seq + 1) {
      synced = false;
      buffer.add(m);
      load().exceptionally(ex -> null);
      return;
    }
    seq = m.seq();
    Instant at = Instant.ofEpochMilli(m.millis());
    switch (m.op()) {
      case Message.RECORDS -> applyRecords(m, at);
      case Message.DIRECTIVE, Message.FORGET -> owner.routed(node, m);
      case Message.ONLINE -> {
        if (users.add(m.user())) {
          owner.userGained(m.user(), at);
        }
      }
      case Message.OFFLINE -> {
        if (users.remove(m.user())) {
          owner.userLost(m.user(), at);
        }
      }
      default -> { // DEPARTED
        joined = false;
        replaceUsers(Set.of(), at);
        replaceRecords(Map.of(), at);
        retireIfIdle();
      }
    }
  }

  /**
   * Marks the view out of sync and reloads it from a snapshot; messages buffer meanwhile.
   *
   * @return completes when the snapshot is applied; fails if it could not be read
   */
  CompletableFuture<Void> reload() {
    synced = false;
    return load();
  }

  /** Stops the orphan timer, if one runs. */
  void cancelOrphanTimer() {
    if (orphanTimer != null) {
      orphanTimer.cancel();
      orphanTimer = null;
    }
  }

  private void applyRecords(Message m, Instant at) {
    RichCodec.Decoded d;
    try {
      d = RichCodec.decodeBatch(m.user());
    } catch (RuntimeException e) {
      owner.reject("records of node " + node + " (seq " + m.seq() + ")", e);
      return; // its sequence number is used up; the node's next snapshot has the truth
    }
    // offline first, then the records; records first, then online: listeners never hear of a
    // status change in between that is only an artefact of the order
    if (d.transition() == Message.OFFLINE && users.remove(d.user())) {
      owner.userLost(d.user(), at);
    }
    for (RichCodec.Change ch : d.changes()) {
      putRecord(ch.user(), ch.contribution(), at);
    }
    if (d.transition() == Message.ONLINE && users.add(d.user())) {
      owner.userGained(d.user(), at);
    }
  }

  private void putRecord(String user, @Nullable Contribution c, Instant at) {
    Contribution before = c == null ? records.remove(user) : records.put(user, c);
    if (Objects.equals(before, c)) {
      return;
    }
    owner.recordChanged(user, c, at);
  }

  /** Replaces the records: new and changed ones, then (see below) the ones gone. */
  private void putRecords(Map<String, Contribution> next, Instant at) {
    for (Map.Entry<String, Contribution> e : next.entrySet()) {
      putRecord(e.getKey(), e.getValue(), at);
    }
  }

  /** Drops the records not in {@code next}: after the users, so no update precedes an offline. */
  private void replaceRecords(Map<String, Contribution> next, Instant at) {
    for (String user : new ArrayList<>(records.keySet())) {
      if (!next.containsKey(user)) {
        putRecord(user, null, at);
      }
    }
  }

  private Map<String, Contribution> decodeRecords(Map<String, String> raw) {
    Map<String, Contribution> out = new HashMap<>();
    for (Map.Entry<String, String> e : raw.entrySet()) {
      try {
        out.put(e.getKey(), RichCodec.decodeContribution(e.getValue()));
      } catch (RuntimeException ex) {
        owner.reject("the record of user '" + e.getKey() + "' in node " + node + "'s snapshot", ex);
      }
    }
    return out;
  }

  @SuppressWarnings("FutureReturnValueIgnored") // the handler completes `done`, which is returned
  private CompletableFuture<Void> load() {
    loading = true;
    receivedBeforeRequest = buffer.size();
    long generation = ++loadGeneration;
    CompletableFuture<Void> done = new CompletableFuture<>();
    CompletableFuture<ClusterTransport.Snapshot> read;
    try {
      read = owner.snapshot(node);
    } catch (RuntimeException e) {
      read = CompletableFuture.failedFuture(e);
    }
    read.whenCompleteAsync((snapshot, ex) -> {
      try {
        if (generation == loadGeneration && !owner.stopped()) {
          onSnapshot(snapshot, ex);
        }
      } finally {
        if (ex != null) {
          done.completeExceptionally(ex);
        } else {
          done.complete(null);
        }
      }
    }, owner.loop());
    return done;
  }

  private void onSnapshot(ClusterTransport.Snapshot s, Throwable ex) {
    loading = false;
    if (ex != null) {
      owner.snapshotRead(false); // stays unsynced and buffering; the recovery reloads it
      return;
    }
    owner.snapshotRead(true);
    Instant now = owner.now();
    if (s.joined() || s.seq() > 0) {
      cancelOrphanTimer();
      joined = s.joined();
      Map<String, Contribution> next = s.joined() ? decodeRecords(s.records()) : Map.of();
      putRecords(next, now);
      replaceUsers(s.joined() ? s.users() : Set.of(), now);
      replaceRecords(next, now);
      seq = s.seq();
    } else {
      // The store knows nothing of this node: it lost its data (a restart). A live node rejoins
      // within a renewal interval of reconnecting; give it one lease TTL before believing it is
      // gone, so that a store restart does not take every remote user offline.
      seq = 0;
      joined = false;
      if ((!users.isEmpty() || !records.isEmpty()) && orphanTimer == null) {
        orphanTimer = owner.afterOrphanGrace(this::orphanExpired);
      }
    }
    synced = true;
    ArrayDeque<Message> buffered = buffer;
    int older = receivedBeforeRequest;
    buffer = new ArrayDeque<>();
    for (Message m : buffered) {
      if (older-- > 0 && m.seq() > s.seq()) {
        // Received before the snapshot was asked for, yet newer than it: the store assigns a
        // number before publishing it, so no real message can be; a forgery or a replay from a
        // store that lost data. Dropping it keeps a bogus number from causing reload after reload.
        LOG.debug("Dropping {}: ahead of the snapshot of {} at {}", m, node, s.seq());
        continue;
      }
      accept(m);
    }
    retireIfIdle();
  }

  private void orphanExpired() {
    orphanTimer = null;
    if (!owner.holds(this) || joined || owner.stopped()) {
      return;
    }
    LOG.info("Node {} did not rejoin within {}: its users are gone", node, owner.orphanGrace());
    replaceUsers(Set.of(), owner.now());
    replaceRecords(Map.of(), owner.now());
    retireIfIdle();
  }

  /** Lets the replica forget a node that left and holds nobody; a late message reloads it. */
  private void retireIfIdle() {
    if (synced && !joined && !loading && users.isEmpty() && records.isEmpty()
        && buffer.isEmpty() && orphanTimer == null) {
      owner.retire(this);
    }
  }

  private void replaceUsers(Set<String> next, Instant at) {
    for (var it = users.iterator(); it.hasNext(); ) {
      String u = it.next();
      if (!next.contains(u)) {
        it.remove();
        owner.userLost(u, at);
      }
    }
    for (String u : next) {
      if (users.add(u)) {
        owner.userGained(u, at);
      }
    }
  }
}
