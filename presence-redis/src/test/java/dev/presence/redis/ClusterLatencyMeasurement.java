package dev.presence.redis;

import dev.presence.test.RedisServer;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import dev.presence.test.RecordingOutbound;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Measures, against a real redis-server on loopback: node-to-node propagation latency of a
 * transition (connect on A until the cluster event fires on B) and Redis commands per
 * node-level transition. A measurement, not a test: run it by hand (see docs/clustering.md).
 *
 * <pre>
 * mvn -q -pl presence-redis test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.presence.redis.ClusterLatencyMeasurement [-Dexec.args=5000]
 * </pre>
 */
final class ClusterLatencyMeasurement {
  private ClusterLatencyMeasurement() {}

  public static void main(String[] args) throws Exception {
    int samples = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    try (RedisServer redis = RedisServer.startOrSkip();
        ClusteredPresenceRegistry a = node(redis, "a");
        ClusteredPresenceRegistry b = node(redis, "b")) {
      BlockingQueue<Long> arrivals = new ArrayBlockingQueue<>(4);
      b.addListener(e -> arrivals.add(System.nanoTime()));

      run(a, arrivals, samples / 5, null); // warm-up
      long[] latencies = new long[samples];
      redis.command("CONFIG RESETSTAT");
      run(a, arrivals, samples, latencies);
      String stats = redis.command("INFO commandstats");

      Arrays.sort(latencies);
      int transitions = samples * 2; // each sample is one online and one offline
      System.out.printf("samples=%d (online and offline each)%n", samples);
      System.out.printf("propagation A->B: p50=%.0f us p90=%.0f us p99=%.0f us max=%.0f us%n",
          pct(latencies, 0.50), pct(latencies, 0.90), pct(latencies, 0.99),
          latencies[latencies.length - 1] / 1000.0);
      System.out.printf("Redis commands per node-level transition (%d transitions):%n",
          transitions);
      for (String line : stats.split("\r\n", -1)) {
        if (line.startsWith("cmdstat_")) {
          String name = line.substring(8, line.indexOf(':'));
          long calls = Long.parseLong(line.replaceAll("^[^:]*:calls=(\\d+),.*", "$1"));
          System.out.printf("  %-10s %.3f%n", name, calls / (double) transitions);
        }
      }
      System.out.println("  (evalsha is the one round trip; the others run inside it, in Redis;"
          + " renewals, reaper rounds and this program's INFO are included)");
    }
  }

  private static void run(ClusteredPresenceRegistry a, BlockingQueue<Long> arrivals, int n,
      long[] out) throws InterruptedException {
    for (int i = 0; i < n; i++) {
      long start = System.nanoTime();
      PresenceSession s = a.connect("user-" + i, "s", new RecordingOutbound());
      long online = take(arrivals) - start;
      start = System.nanoTime();
      s.close();
      long offline = take(arrivals) - start;
      if (out != null) {
        out[i] = (i % 2 == 0) ? online : offline;
      }
    }
  }

  private static long take(BlockingQueue<Long> q) throws InterruptedException {
    Long t = q.poll(5, TimeUnit.SECONDS);
    if (t == null) {
      throw new IllegalStateException("no event within 5 s");
    }
    return t;
  }

  private static double pct(long[] sorted, double p) {
    return sorted[(int) Math.min(sorted.length - 1, Math.round(p * (sorted.length - 1)))] / 1000.0;
  }

  private static ClusteredPresenceRegistry node(RedisServer redis, String id) {
    return ClusteredPresenceRegistry.builder().redisUri(redis.uri()).nodeId(id)
        .keyPrefix("measure").leaseTtl(Duration.ofSeconds(15))
        .local(PresenceRegistry.builder().withoutHeartbeat()).build();
  }
}
