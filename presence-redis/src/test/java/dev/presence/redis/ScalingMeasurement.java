package dev.presence.redis;

import dev.presence.test.RedisServer;
import dev.presence.test.FakeTime;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures the per-operation costs that docs/scaling.md projects from: the replica's memory per
 * remote online user and its CPU per applied channel message (in process, no Redis), the same
 * with a rich-presence record per user, and Redis's
 * CPU per TRANSITION script with 1, 10 and 50 subscribers on the channel (a real redis-server on
 * loopback, from INFO commandstats). A measurement, not a test: run it by hand.
 *
 * <pre>
 * mvn -q -o -pl presence-redis -am test-compile dependency:build-classpath \
 *   -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -Xmx2g -cp presence-redis/target/test-classes:presence-redis/target/classes:$(cat /tmp/cp.txt) \
 *   dev.presence.redis.ScalingMeasurement [records]
 * </pre>
 */
final class ScalingMeasurement {
  private ScalingMeasurement() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("records")) { // only the rich-presence part
      records(200_000, 20);
      return;
    }
    replica(1_000_000, 20);
    records(200_000, 20);
    redis(20_000);
  }

  /**
   * Memory and CPU of rich presence in the replica: {@code users} remote users, each online with
   * a typical record (one session with two metadata entries, a status text), announced as one
   * {@code U} message each (record plus transition), as a connect sends it.
   */
  private static void records(int users, int nodes) {
    FakeTime time = new FakeTime();
    ClusterState state = newState(time);
    long[] seq = new long[nodes];
    List<String> names = new ArrayList<>();
    for (int n = 0; n < nodes; n++) {
      names.add("node-" + n);
    }
    state.reloadAll(names).join();
    java.time.Instant t = java.time.Instant.parse("2026-11-29T10:00:00Z");
    List<String> payloads = new ArrayList<>(users);
    for (int u = 0; u < users; u++) {
      Contribution c = new Contribution(new Stamp(1_767_225_600_000_000L + u, "node-" + u % nodes),
          dev.presence.Availability.AVAILABLE, dev.presence.StatusText.of("In a meeting"), false,
          t.toEpochMilli(), List.of(new dev.presence.SessionInfo("session-1",
              java.util.Map.of("device", "mobile", "app", "2.3.1"), t)));
      payloads.add(RichCodec.encodeTransition(true, "user-" + u,
          new RichCodec.Change("user-" + u, c)).payload());
    }
    long before = usedHeap();
    long start = threadCpuNanos(); // CPU, not wall: the build machine is shared
    for (int u = 0; u < users; u++) {
      int n = u % nodes;
      state.accept(new Message("node-" + n, ++seq[n], Message.RECORDS, 0, payloads.get(u)));
    }
    long applyNanos = threadCpuNanos() - start;
    long after = usedHeap(); // the payloads were allocated before and are still referenced
    System.out.printf("records: %d remote users on %d nodes with a record: %.0f bytes per user"
        + " (set, count and record; heap delta %d MB)%n", users, nodes,
        (after - before) / (double) users, (after - before) >> 20);
    System.out.printf("records: decode and apply one 'U' (record + online) %.0f ns CPU/message;"
        + " wire size %d bytes%n", applyNanos / (double) users,
        new Message("node-7", 123456, Message.RECORDS, 1767225600000L, payloads.get(1)).format()
            .length());
    if (state.onlineUserCount() != users) {
      throw new AssertionError("replica has " + state.onlineUserCount());
    }
  }

  private static ClusterState newState(FakeTime time) {
    return new ClusterState("self",
        node -> CompletableFuture.completedFuture(new ClusterTransport.Snapshot(true, 0, Set.of())),
        Runnable::run, time, time.clock(), Duration.ofSeconds(15),
        new EventDelivery(Runnable::run, "measure"), () -> {}, new ClusterState.RichListener() {
          @Override
          public void recordChanged(String user, Contribution record) {}

          @Override
          public void routed(String node, Message m) {}
        });
  }

  /** Memory and CPU of the replica for {@code users} remote users spread over {@code nodes}. */
  private static void replica(int users, int nodes) {
    FakeTime time = new FakeTime();
    ClusterState[] keep = new ClusterState[1];
    long before = usedHeap();
    ClusterState state = newState(time);
    keep[0] = state;
    long[] seq = new long[nodes];
    List<String> names = new ArrayList<>();
    for (int n = 0; n < nodes; n++) {
      names.add("node-" + n);
    }
    state.reloadAll(names).join(); // every view loaded (empty, seq 0), as after a start-up
    long start = System.nanoTime();
    for (int u = 0; u < users; u++) {
      int n = u % nodes;
      state.accept(new Message("node-" + n, ++seq[n], Message.ONLINE, 0, "user-" + u));
    }
    long addNanos = System.nanoTime() - start;
    long after = usedHeap();
    start = System.nanoTime();
    for (int u = 0; u < users; u++) {
      int n = u % nodes;
      state.accept(new Message("node-" + n, ++seq[n], Message.OFFLINE, 0, "user-" + u));
    }
    long removeNanos = System.nanoTime() - start;
    System.out.printf("replica: %d remote users on %d nodes: %.0f bytes per user (heap delta %d MB)%n",
        users, nodes, (after - before) / (double) users, (after - before) >> 20);
    System.out.printf("replica: apply '+' %.0f ns/message, '-' %.0f ns/message (parse excluded)%n",
        addNanos / (double) users, removeNanos / (double) users);
    long parse = 0;
    start = System.nanoTime();
    for (int i = 0; i < users; i++) {
      parse += Message.parse("node-7|" + i + "|+|1767225600000|user-" + i).seq();
    }
    System.out.printf("message: parse %.0f ns; wire size ~%d bytes for 10-char ids (%d)%n",
        (System.nanoTime() - start) / (double) users,
        "node-00007|123456|+|1767225600000|user-00001".length(), parse % 2);
    if (keep[0].onlineUserCount() != 0) {
      throw new AssertionError("replica not empty");
    }
  }

  /** Redis CPU per TRANSITION with k subscribers on the channel. */
  private static void redis(int calls) {
    try (RedisServer server = RedisServer.startOrSkip()) {
      RedisClient client = RedisClient.create(server.uri());
      try (StatefulRedisConnection<String, String> c = client.connect()) {
        RedisCommands<String, String> redis = c.sync();
        String[] scripts = Scripts.publishingWith("PUBLISH");
        String sha = redis.scriptLoad(scripts[Scripts.TRANSITION_ID]);
        redis.eval(scripts[Scripts.JOIN_ID], ScriptOutputType.INTEGER,
            Keys.standalone("m").of("n1"), "60000", "m:events", "n1", "0", "0");
        List<StatefulRedisPubSubConnection<String, String>> subs = new ArrayList<>();
        AtomicLong received = new AtomicLong();
        for (int k : new int[] {1, 10, 50}) {
          while (subs.size() < k) {
            StatefulRedisPubSubConnection<String, String> s = client.connectPubSub();
            s.addListener(new io.lettuce.core.pubsub.RedisPubSubAdapter<>() {
              @Override
              public void message(String channel, String message) {
                received.incrementAndGet();
              }
            });
            s.sync().subscribe("m:events");
            subs.add(s);
          }
          redis.configResetstat();
          for (int i = 0; i < calls; i++) {
            redis.evalsha(sha, ScriptOutputType.INTEGER, Keys.standalone("m").of("n1"),
                i % 2 == 0 ? "+" : "-", "user-" + (i / 2), "m:events", "n1", "1767225600000", "0");
          }
          String stats = redis.info("commandstats");
          for (String line : stats.split("\r\n", -1)) {
            if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_publish:")) {
              System.out.printf("redis, %2d subscribers: %s%n", k, line);
            }
          }
        }
        subs.forEach(StatefulRedisPubSubConnection::close);
        // a reload reads a node's whole set: SNAPSHOT of a node holding 100,000 users
        String[] many = new String[5 + 100_000];
        many[0] = "60000";
        many[1] = "m:events";
        many[2] = "big";
        many[3] = "0";
        many[4] = "0";
        for (int i = 0; i < 100_000; i++) {
          many[5 + i] = "user-" + i;
        }
        redis.eval(scripts[Scripts.JOIN_ID], ScriptOutputType.INTEGER,
            Keys.standalone("m").of("big"), many);
        String snap = redis.scriptLoad(scripts[Scripts.SNAPSHOT_ID]);
        redis.configResetstat();
        for (int i = 0; i < 20; i++) {
          redis.evalsha(snap, ScriptOutputType.MULTI, Keys.standalone("m").of("big"));
        }
        for (String line : redis.info("commandstats").split("\r\n", -1)) {
          if (line.startsWith("cmdstat_evalsha:")) {
            System.out.printf("redis, SNAPSHOT of 100,000 users: %s%n", line);
          }
        }
      } finally {
        client.shutdown();
      }
    }
  }

  /** This thread's CPU time (user + system) from /proc (Linux), at 10 ms resolution. */
  private static long threadCpuNanos() {
    try {
      String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/thread-self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L; // fields 14, 15
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static long usedHeap() {
    for (int i = 0; i < 4; i++) {
      System.gc();
    }
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }
}
