package dev.presence.benchmarks;

import dev.presence.test.RedisServer;

/**
 * The verify-phase smoke run of the benchmarks that need a redis-server: hands its arguments to
 * JMH when the binary exists. Without it, the run is skipped with a message, unless the
 * environment variable CI is set, where a missing server is a failure (CI installs it).
 */
public final class ClusterSmoke {
  private ClusterSmoke() {}

  /**
   * Runs JMH with {@code args}, or explains why not.
   *
   * @param args JMH command-line arguments
   * @throws Exception whatever JMH throws
   */
  public static void main(String[] args) throws Exception {
    if (RedisServer.executable("redis-server").isEmpty()) {
      String message = "redis-server not found (system property presence.redis-server, PATH, /usr/bin):"
          + " install it (Debian/Ubuntu: apt-get install redis-server) to smoke-run the clustered"
          + " benchmarks";
      if (System.getenv("CI") != null) {
        System.err.println("[ERROR] " + message + "; CI is set, so this is a failure");
        System.exit(1);
      }
      System.out.println("[WARNING] SKIPPED ClusterIsOnlineBenchmark smoke run: " + message);
      return;
    }
    System.out.println("cluster smoke run (ClusterIsOnlineBenchmark), JMH output in the -o file");
    org.openjdk.jmh.Main.main(args);
    System.exit(0); // a client thread left behind must not hang the build
  }
}
