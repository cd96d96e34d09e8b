package dev.presence.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Heap retained per session by each peer: the used heap after full GCs, with the registry filled,
 * minus the same without it. The user and session id strings are allocated before the baseline
 * and kept alive throughout, so they are not counted ("beyond the ids"); the connection object
 * is one shared no-op, so the host's own per-connection state is not counted either.
 *
 * <p>Run: {@code java -Xmx4g -cp benchmarks/target/benchmarks.jar
 * dev.presence.benchmarks.MemoryPerSession 1000000}
 */
public final class MemoryPerSession {
  private MemoryPerSession() {}

  /**
   * Measures and prints a markdown table.
   *
   * @param args optional: the number of sessions (default 1 000 000)
   * @throws InterruptedException if interrupted while letting the GC settle
   */
  public static void main(String[] args) throws InterruptedException {
    int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    String[] users = Ids.users(sessions);
    String[] firstTabs = Ids.sessions(users, 1);
    String[] secondTabs = Ids.sessions(users, 2);
    System.out.printf(Locale.ROOT, "JDK %s, %s, %d sessions%n", System.getProperty("java.version"),
        ManagementFactory.getRuntimeMXBean().getInputArguments(), sessions);
    System.out.println("| peer | users × tabs | bytes per session |");
    System.out.println("|---|---|---:|");
    for (String impl : new String[] {Peer.CHM, Peer.SPRING, Peer.PRESENCE}) {
      measure(impl, users, firstTabs, null, sessions);
    }
    // The same number of sessions as half as many users with two tabs each.
    measure(Peer.SPRING, users, firstTabs, secondTabs, sessions);
    measure(Peer.PRESENCE, users, firstTabs, secondTabs, sessions);
    // Keep the ids reachable until the end, so no measurement sees them collected.
    if (users.length + firstTabs.length + secondTabs.length == 0) {
      System.out.println();
    }
  }

  private static void measure(String impl, String[] users, String[] firstTabs, String[] secondTabs,
      int sessions) throws InterruptedException {
    long before = usedAfterGc();
    Peer peer = Peer.create(impl);
    int userCount = secondTabs == null ? sessions : sessions / 2;
    for (int i = 0; i < userCount; i++) {
      peer.populate(users[i], firstTabs[i]);
      if (secondTabs != null) {
        peer.populate(users[i], secondTabs[i]);
      }
    }
    long after = usedAfterGc();
    if (!peer.isOnline(users[userCount - 1])) {
      throw new IllegalStateException(impl + " lost a user");
    }
    System.out.printf(Locale.ROOT, "| %s | %d × %d | %.1f |%n", impl, userCount,
        secondTabs == null ? 1 : 2, (after - before) / (double) sessions);
    peer.close();
  }

  private static long usedAfterGc() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
