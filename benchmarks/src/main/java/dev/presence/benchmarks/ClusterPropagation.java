package dev.presence.benchmarks;

import dev.presence.test.RedisServer;
import dev.presence.PresenceEvent;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import dev.presence.redis.ClusteredPresenceRegistry;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Node-to-node propagation of presence transitions over a real redis-server on loopback, and the
 * Redis commands each transition costs. Three nodes (A, B, C) share one server; node B connects
 * and closes one user at a time, and the time from the {@code connect}/{@code close} call on B
 * until A's listener sees the cluster event is one sample ({@link System#nanoTime}). C listens
 * too, so every transition reaches two other nodes, as in a three-node deployment. Commands are
 * counted with {@code INFO commandstats} around the measured phase ({@code CONFIG RESETSTAT}
 * before): they include the lease renewals and reaper rounds of the three nodes during the run.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.presence.benchmarks.ClusterPropagation [transitions, default 5000]}
 */
public final class ClusterPropagation {
  private ClusterPropagation() {}

  /**
   * Runs the measurement and prints the percentiles and the commands per transition.
   *
   * @param args optional: the number of measured transitions (even, at least 2)
   * @throws Exception if Redis is missing or an event does not arrive within 5 s
   */
  public static void main(String[] args) throws Exception {
    int transitions = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    if (transitions < 2 || transitions % 2 != 0) {
      throw new IllegalArgumentException("transitions must be even and at least 2: " + transitions);
    }
    try (RedisServer redis = RedisServer.start();
        ClusteredPresenceRegistry a = node(redis, "a");
        ClusteredPresenceRegistry b = node(redis, "b");
        ClusteredPresenceRegistry c = node(redis, "c")) {
      BlockingQueue<Arrival> atA = new ArrayBlockingQueue<>(16);
      BlockingQueue<Arrival> atC = new ArrayBlockingQueue<>(16);
      a.addListener(e -> atA.add(new Arrival(e, System.nanoTime())));
      c.addListener(e -> atC.add(new Arrival(e, System.nanoTime())));

      run(b, atA, atC, "warm", 2000, null); // JIT, connection buffers
      long[] online = new long[transitions / 2];
      long[] offline = new long[transitions / 2];
      redis.command("CONFIG RESETSTAT");
      long began = System.nanoTime();
      run(b, atA, atC, "user", transitions, new long[][] {online, offline});
      double seconds = (System.nanoTime() - began) / 1e9;
      Map<String, Long> calls = commandCalls(redis);

      long[] all = new long[transitions];
      System.arraycopy(online, 0, all, 0, online.length);
      System.arraycopy(offline, 0, all, online.length, offline.length);
      System.out.printf("redis-server %s, 3 nodes, loopback; %d measured transitions on node B"
          + " (%d online + %d offline) in %.1f s%n", redisVersion(redis), transitions,
          online.length, offline.length, seconds);
      System.out.println("propagation B -> A listener, microseconds:");
      print("all", all);
      print("online", online);
      print("offline", offline);
      System.out.println("Redis commands per transition (INFO commandstats delta / transitions):");
      long total = 0;
      for (Map.Entry<String, Long> e : new TreeMap<>(calls).entrySet()) {
        if (e.getKey().equals("info") || e.getKey().startsWith("config")
            || e.getKey().equals("quit")) {
          continue; // this program's own
        }
        total += e.getValue();
        System.out.printf("  %-8s %6d calls  %.3f per transition%n", e.getKey(), e.getValue(),
            e.getValue() / (double) transitions);
      }
      System.out.printf("  %-8s %6d calls  %.3f per transition%n", "total", total,
          total / (double) transitions);
      System.out.println("  (evalsha is what a node sends; the other commands run inside its Lua"
          + " script on the server; lease renewals and reaper rounds of the 3 nodes are included)");
    }
  }

  private record Arrival(PresenceEvent event, long nanos) {}

  private static void run(PresenceRegistry b, BlockingQueue<Arrival> atA,
      BlockingQueue<Arrival> atC, String prefix, int transitions, long[][] out)
      throws InterruptedException {
    for (int i = 0; i < transitions / 2; i++) {
      String user = prefix + "-" + i;
      long start = System.nanoTime();
      PresenceSession s = b.connect(user, "s", NoOpOutbound.INSTANCE);
      long on = take(atA, user, true) - start;
      take(atC, user, true);
      start = System.nanoTime();
      s.close();
      long off = take(atA, user, false) - start;
      take(atC, user, false);
      if (out != null) {
        out[0][i] = on;
        out[1][i] = off;
      }
    }
  }

  private static long take(BlockingQueue<Arrival> q, String user, boolean online)
      throws InterruptedException {
    Arrival a = q.poll(5, TimeUnit.SECONDS);
    if (a == null) {
      throw new IllegalStateException("no event for " + user + " within 5 s");
    }
    if (!a.event().userId().equals(user) || a.event().online() != online) {
      throw new IllegalStateException("expected " + user + (online ? " online" : " offline")
          + ", got " + a.event());
    }
    return a.nanos();
  }

  private static void print(String label, long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    System.out.printf("  %-8s p50=%7.0f  p90=%7.0f  p99=%7.0f  max=%7.0f  (n=%d)%n", label,
        pct(sorted, 0.50), pct(sorted, 0.90), pct(sorted, 0.99),
        sorted[sorted.length - 1] / 1000.0, sorted.length);
  }

  private static double pct(long[] sorted, double p) {
    return sorted[(int) Math.min(sorted.length - 1, Math.round(p * (sorted.length - 1)))] / 1000.0;
  }

  /** Calls per command since the last {@code CONFIG RESETSTAT}, from {@code INFO commandstats}. */
  private static Map<String, Long> commandCalls(RedisServer redis) {
    Map<String, Long> calls = new LinkedHashMap<>();
    for (String line : redis.command("INFO commandstats").split("\r\n", -1)) {
      if (line.startsWith("cmdstat_")) {
        String name = line.substring(8, line.indexOf(':'));
        calls.put(name, Long.parseLong(line.replaceAll("^[^:]*:calls=(\\d+),.*", "$1")));
      }
    }
    return calls;
  }

  private static String redisVersion(RedisServer redis) {
    for (String line : redis.command("INFO server").split("\r\n", -1)) {
      if (line.startsWith("redis_version:")) {
        return line.substring("redis_version:".length());
      }
    }
    return "?";
  }

  private static ClusteredPresenceRegistry node(RedisServer redis, String id) {
    return ClusteredPresenceRegistry.builder().redisUri(redis.uri()).nodeId(id)
        .local(PresenceRegistry.builder().withoutHeartbeat()).build();
  }
}
