package dev.presence.redis;

import dev.presence.test.FakeTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An in-memory stand-in for Redis that does what the protocol's scripts do (see {@link Scripts}),
 * step for step, with leases that expire on a {@link FakeTime}. Channel messages are not
 * delivered by themselves: each one lands in every subscribed transport's inbox, and the test
 * decides when (and whether, how often, in which order) it arrives. Not thread-safe: the
 * deterministic tests drive everything from one thread.
 */
final class FakeRedis {
  private final FakeTime time;
  private final Map<String, NodeKeys> nodes = new HashMap<>();
  private final Set<String> directory = new HashSet<>();
  private final List<FakeTransport> subscribers = new ArrayList<>();
  private int claims;

  FakeRedis(FakeTime time) {
    this.time = time;
  }

  private static final class NodeKeys {
    boolean joined;
    long leaseUntil = Long.MIN_VALUE;
    final Set<String> users = new HashSet<>();
    final Map<String, String> records = new HashMap<>();
    long seq;
  }

  void subscribe(FakeTransport t) {
    if (!subscribers.contains(t)) {
      subscribers.add(t);
    }
  }

  void unsubscribe(FakeTransport t) {
    subscribers.remove(t);
  }

  /** Loses every key (a restart without persistence); subscriptions survive as in tests. */
  void flushAll() {
    nodes.clear();
    directory.clear();
  }

  /** How many claims succeeded, all callers together. */
  int successfulClaims() {
    return claims;
  }

  Set<String> usersOf(String node) {
    NodeKeys k = nodes.get(node);
    return k == null ? Set.of() : Set.copyOf(k.users);
  }

  boolean leaseAlive(String node) {
    NodeKeys k = nodes.get(node);
    return k != null && k.leaseUntil > time.read();
  }

  private NodeKeys keys(String node) {
    return nodes.computeIfAbsent(node, n -> new NodeKeys());
  }

  private void publish(String node, long seq, char op, long millis, String user) {
    String raw = new Message(node, seq, op, millis, user).format();
    for (FakeTransport t : List.copyOf(subscribers)) {
      t.deliverLater(raw);
    }
  }

  private long bump(NodeKeys k, long lastSeq) {
    k.seq = Math.max(k.seq + 1, lastSeq + 1);
    return k.seq;
  }

  // ------------------------------------------------------------------ the scripts

  long transition(String node, boolean online, String user, long lastSeq, long millis) {
    NodeKeys k = keys(node);
    if (!k.joined) {
      return -1;
    }
    if (online) {
      k.users.add(user);
    } else {
      k.users.remove(user);
    }
    long seq = bump(k, lastSeq);
    publish(node, seq, online ? Message.ONLINE : Message.OFFLINE, millis, user);
    return seq;
  }

  long join(String node, Collection<String> users, long lastSeq, long leaseNanos, long millis) {
    NodeKeys k = keys(node);
    k.joined = true;
    k.leaseUntil = time.read() + leaseNanos;
    k.users.clear();
    k.users.addAll(users);
    k.records.clear();
    long seq = bump(k, lastSeq);
    publish(node, seq, Message.REPLACED, millis, "");
    directory.add(node);
    return seq;
  }

  boolean renew(String node, long leaseNanos) {
    NodeKeys k = keys(node);
    directory.add(node);
    if (!k.joined) {
      return false;
    }
    k.leaseUntil = time.read() + leaseNanos;
    return true;
  }

  Set<String> listedNodes() {
    return Set.copyOf(directory);
  }

  ClusterTransport.Claim claim(String node, long millis) {
    NodeKeys k = keys(node);
    if (k.leaseUntil > time.read()) {
      return new ClusterTransport.Claim(ClusterTransport.ClaimOutcome.ALIVE, List.of());
    }
    if (!k.joined) {
      return new ClusterTransport.Claim(ClusterTransport.ClaimOutcome.GONE, List.of());
    }
    k.joined = false;
    List<String> users = new ArrayList<>(k.users);
    k.users.clear();
    k.records.clear();
    long seq = bump(k, 0);
    publish(node, seq, Message.DEPARTED, millis, "");
    claims++;
    return new ClusterTransport.Claim(ClusterTransport.ClaimOutcome.CLAIMED, users);
  }

  void unlist(String node) {
    directory.remove(node);
  }

  void leave(String node, long millis) {
    NodeKeys k = keys(node);
    k.joined = false;
    k.leaseUntil = Long.MIN_VALUE;
    k.users.clear();
    k.records.clear();
    long seq = bump(k, 0);
    publish(node, seq, Message.DEPARTED, millis, "");
    directory.remove(node);
  }

  ClusterTransport.Snapshot snapshot(String node) {
    NodeKeys k = nodes.get(node);
    if (k == null) {
      return new ClusterTransport.Snapshot(false, 0, Set.of());
    }
    return new ClusterTransport.Snapshot(k.joined, k.seq, Set.copyOf(k.users),
        Map.copyOf(k.records));
  }

  /** How many RECORDS script calls were made, all nodes together. */
  int recordCalls;

  long records(String node, RichCodec.Batch batch, long lastSeq, long millis) {
    recordCalls++;
    NodeKeys k = keys(node);
    if (!k.joined) {
      return -1;
    }
    if (batch.transition() == Message.ONLINE) {
      k.users.add(batch.user());
    } else if (batch.transition() == Message.OFFLINE) {
      k.users.remove(batch.user());
    }
    batch.fields().forEach((user, json) -> {
      if (json.isEmpty()) {
        k.records.remove(user);
      } else {
        k.records.put(user, json);
      }
    });
    long seq = bump(k, lastSeq);
    publish(node, seq, Message.RECORDS, millis, batch.payload());
    return seq;
  }

  long announce(String node, char op, String payload, long lastSeq, long millis) {
    NodeKeys k = keys(node);
    if (!k.joined) {
      return -1;
    }
    long seq = bump(k, lastSeq);
    publish(node, seq, op, millis, payload);
    return seq;
  }

  /** The node's stored records: user to JSON. */
  Map<String, String> recordsOf(String node) {
    NodeKeys k = nodes.get(node);
    return k == null ? Map.of() : Map.copyOf(k.records);
  }
}
