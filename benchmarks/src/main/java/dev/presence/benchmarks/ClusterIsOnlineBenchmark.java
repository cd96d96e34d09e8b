package dev.presence.benchmarks;

import dev.presence.test.RedisServer;
import dev.presence.PresenceRegistry;
import dev.presence.redis.ClusteredPresenceRegistry;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code isOnline} on node A of a two-node cluster ({@code clustered}, over a real redis-server
 * on loopback) against the single-node registry ({@code single}), with {@code size} users online
 * in all. In the cluster, the first half of the users are connected on A and the second half on
 * node B; the single-node registry holds all of them. {@code localHit} looks up users connected
 * on A, {@code remoteHit} users connected on B (for {@code single} just another hit), and
 * {@code miss} users online nowhere. Keys are 64 Ki ids drawn at random and walked in order, as
 * in {@link IsOnlineBenchmark}. Redis is not touched while measuring: the lookup is local.
 *
 * <p>Needs a {@code redis-server} binary for {@code impl=clustered}. Run: {@code java -jar
 * benchmarks/target/benchmarks.jar ClusterIsOnlineBenchmark -f 1 -wi 2 -i 3 -w 1s -r 1s -rf json
 * -rff benchmarks/results/cluster-isonline.json}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class ClusterIsOnlineBenchmark {
  private static final int KEYS = 1 << 16;
  private static final long AWAIT_NANOS = TimeUnit.SECONDS.toNanos(120);

  @Param({"single", "clustered"})
  public String impl;

  @Param({"localHit", "remoteHit", "miss"})
  public String lookup;

  @Param({"1000", "100000"})
  public int size;

  private RedisServer redis;
  private PresenceRegistry nodeA;
  private PresenceRegistry nodeB;
  private String[] keys;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    String[] users = Ids.users(size);
    String[] onA = Arrays.copyOfRange(users, 0, size / 2);
    String[] onB = Arrays.copyOfRange(users, size / 2, size);
    switch (impl) {
      case "single" -> {
        nodeA = PresenceRegistry.builder().withoutHeartbeat().build();
        nodeB = nodeA;
      }
      case "clustered" -> {
        redis = RedisServer.start();
        nodeA = node("a");
        nodeB = node("b");
      }
      default -> throw new IllegalArgumentException("impl must be single or clustered: " + impl);
    }
    for (String u : onA) {
      nodeA.connect(u, Ids.session(u, 1), NoOpOutbound.INSTANCE);
    }
    for (String u : onB) {
      nodeB.connect(u, Ids.session(u, 1), NoOpOutbound.INSTANCE);
    }
    PresenceRegistry a = nodeA;
    await("node A to see all " + size + " users", () -> a.onlineUserCount() == size);
    keys = switch (lookup) {
      case "localHit" -> Ids.sample(onA, KEYS, 1);
      case "remoteHit" -> Ids.sample(onB, KEYS, 1);
      case "miss" -> Ids.absentUsers(KEYS);
      default -> throw new IllegalArgumentException(
          "lookup must be localHit, remoteHit or miss: " + lookup);
    };
    boolean expected = !lookup.equals("miss");
    for (String k : keys) {
      if (nodeA.isOnline(k) != expected) {
        throw new IllegalStateException(impl + " answers wrongly for " + lookup + " " + k);
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      if (nodeB != nodeA && nodeB != null) {
        nodeB.close();
      }
      if (nodeA != null) {
        nodeA.close();
      }
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
  }

  @Benchmark
  public boolean isOnline() {
    return nodeA.isOnline(keys[next++ & (KEYS - 1)]);
  }

  private ClusteredPresenceRegistry node(String id) {
    return ClusteredPresenceRegistry.builder().redisUri("redis://127.0.0.1:" + redis.port())
        .nodeId(id).local(PresenceRegistry.builder().withoutHeartbeat()).build();
  }

  /** Polls {@code condition} until it holds; fails after a deadline instead of hanging. */
  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + AWAIT_NANOS;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      try {
        Thread.sleep(5); // poll interval
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for " + what, e);
      }
    }
  }
}
