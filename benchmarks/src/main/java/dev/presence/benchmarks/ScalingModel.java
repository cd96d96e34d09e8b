package dev.presence.benchmarks;

import java.util.Locale;

/**
 * A small model of clustered presence (presence-redis) at scale, fed with per-operation costs
 * measured by {@code dev.presence.redis.ScalingMeasurement} (see docs/scaling.md for the runs).
 * It tabulates, for a number of server nodes and online users at a churn rate, what each node
 * and Redis spend in the steady state and after a failover, for the full-replica design shipped
 * today and for the interest-based alternative described in docs/scaling.md.
 *
 * <pre>
 * java -cp benchmarks/target/classes dev.presence.benchmarks.ScalingModel [churnPerMinute]
 * </pre>
 */
public final class ScalingModel {
  // ---- measured (ScalingMeasurement, redis-server 7.0.15, loopback, loaded 2-core machine)
  /** Redis CPU of one TRANSITION script, PUBLISH to no one included (µs). */
  static final double SCRIPT_US = 14.0;
  /** Redis CPU added per subscriber a message is delivered to (µs): (24.7 - 14.0) / 49. */
  static final double PER_SUBSCRIBER_US = 0.22;
  /** Redis CPU per member read by SNAPSHOT (µs): 289 ms / 100,000 members. */
  static final double SNAPSHOT_PER_MEMBER_US = 2.9;
  /** A node's CPU per applied channel message: parse + apply, mean of '+' and '-' (µs). */
  static final double APPLY_US = 0.5 + (10.5 + 1.7) / 2;
  /** Heap per remote online user in a node's replica (bytes). */
  static final double REPLICA_BYTES = 194;
  /** Bytes on the wire per delivered message (44-byte payload plus RESP push framing). */
  static final double WIRE_BYTES = 44 + 40;
  /** Lease renewal interval (s), default; reaper: (nodes - 1) CLAIM calls per node per interval. */
  static final double RENEWAL_S = 5;
  /** Redis CPU of one CLAIM on a live node (µs), assumed close to a RENEW: not measured. */
  static final double CLAIM_US = 5;

  private ScalingModel() {}

  public static void main(String[] args) {
    double churn = args.length > 0 ? Double.parseDouble(args[0]) : 0.01;
    System.out.printf(Locale.ROOT, "churn: %.1f %% of online users go offline or online per minute%n%n",
        churn * 100);
    System.out.println("FULL REPLICA (today): every node receives every transition and keeps every user");
    header();
    for (int nodes : new int[] {10, 30, 100}) {
      for (long users : new long[] {100_000, 1_000_000, 10_000_000}) {
        row(nodes, users, churn, 1.0);
      }
    }
    System.out.println();
    System.out.println("INTEREST-BASED (on paper): a node receives and keeps only users its clients can see;");
    System.out.println("the fraction is 1 - (1 - 1/S)^(local users x contacts) for S user shards (random");
    System.out.println("contacts), or the community share when users are placed by community (locality)");
    header();
    int contacts = 50;
    int shards = 16_384;
    for (int nodes : new int[] {10, 30, 100}) {
      for (long users : new long[] {100_000, 1_000_000, 10_000_000}) {
        double local = users / (double) nodes;
        double random = 1 - Math.pow(1 - 1.0 / shards, local * contacts);
        row(nodes, users, churn, random);
      }
    }
    System.out.printf(Locale.ROOT,
        "  same, users placed by community (90 %% of contacts in the node's own shards):%n");
    for (int nodes : new int[] {10, 30, 100}) {
      for (long users : new long[] {100_000, 1_000_000, 10_000_000}) {
        double share = Math.min(1, 1.0 / nodes + 0.1);
        row(nodes, users, churn, share);
      }
    }
  }

  private static void header() {
    System.out.printf(Locale.ROOT, "%6s %11s %9s | %10s %9s %9s %9s | %9s %9s %10s%n",
        "nodes", "users", "trans/s", "msgs/node", "node CPU", "node MB/s", "replica", "Redis CPU",
        "Redis out", "resync");
  }

  /**
   * One row. {@code fraction}: the share of transitions (and users) a node receives and keeps.
   * Redis CPU is the total over the cluster, in cores (a single Redis has one); resync is the
   * Redis CPU to reload every node's view after every node lost its subscription (a failover).
   */
  static void row(int nodes, long users, double churnPerMinute, double fraction) {
    double trans = users * churnPerMinute / 60;
    double perNode = trans * fraction;
    double nodeCpu = perNode * APPLY_US / 1e6;
    double nodeBytes = perNode * WIRE_BYTES;
    double replicaBytes = users * fraction * REPLICA_BYTES;
    double subscribers = nodes * fraction;
    double redisCpu = trans * (SCRIPT_US + subscribers * PER_SUBSCRIBER_US) / 1e6
        + nodes * (nodes - 1) / RENEWAL_S * CLAIM_US / 1e6;
    double redisOut = trans * subscribers * WIRE_BYTES;
    double resyncSeconds = nodes * users * fraction * SNAPSHOT_PER_MEMBER_US / 1e6;
    System.out.printf(Locale.ROOT, "%6d %11d %9.0f | %10.0f %8.1f%% %9.2f %7.0fMB | %8.1f%% %7.1fMB/s %9.0fs%n",
        nodes, users, trans, perNode, nodeCpu * 100, nodeBytes / 1e6, replicaBytes / 1e6,
        redisCpu * 100, redisOut / 1e6, resyncSeconds);
  }
}
