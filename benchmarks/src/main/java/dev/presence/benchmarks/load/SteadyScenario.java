package dev.presence.benchmarks.load;

import static dev.presence.benchmarks.load.Harness.awaitClosed;
import static dev.presence.benchmarks.load.Harness.ids;
import static dev.presence.benchmarks.load.Harness.report;
import static dev.presence.benchmarks.load.Harness.sum;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Steady: many idle connections with the heartbeat on; reports the connect rate, the server's CPU
 * per connection per heartbeat round (by thread), GC pauses, heap and RSS per connection, and the
 * graceful stop. Not thread-safe.
 */
final class SteadyScenario {
  private final Harness h;

  SteadyScenario(Harness h) {
    this.h = h;
  }

  /** Steady: many idle connections with the heartbeat on. */
  void run() throws Exception {
    int users = h.intOpt("users", 10000);
    Duration hold = h.duration("hold", "30s");
    int run = h.nextRun();
    List<String> ids = ids("h" + run + "u", users);
    List<String> flags = new ArrayList<>(h.demoFlags(h.opt("window", "1s"), "steady" + run));
    flags.addAll(List.of("--heartbeat-interval", h.opt("heartbeat", "10s"), "--ping-style", h.opt("ping", "both")));
    DemoProcess demo = DemoProcess.start(0, h.opt("heap", "4g"), h.workDir, flags);
    List<LoadClient> clients = new ArrayList<>();
    try {
      DemoApi api = new DemoApi(h.http, demo.port);
      for (String u : ids) {
        clients.add(new LoadClient(u, Set.of()));
      }
      h.parallel(clients, c -> c.token = api.login(c.userId));
      long heap0 = demo.heapUsedAfterGc();
      long rss0 = demo.statusKib("VmRSS");
      long t0 = System.nanoTime();
      h.connectAll(clients, demo.port);
      double connectSecs = (System.nanoTime() - t0) / 1e9;
      report("steady", "", "connects", String.format("%d in %.1f s: %.0f/s", users, connectSecs, users / connectSecs));
      // Warm-up: the first heartbeat rounds also pay for compiling the ping and pong paths.
      Duration warmup = h.duration("warmup", "20s");
      Thread.sleep(warmup.toMillis());
      int pauses0 = demo.gcPauses().size();
      long cpu0 = demo.cpuNanos();
      Map<String, Long> byThread0 = demo.cpuNanosByThread();
      long h0 = System.nanoTime();
      Thread.sleep(hold.toMillis());
      double held = (System.nanoTime() - h0) / 1e9;
      long cpu = demo.cpuNanos() - cpu0;
      Map<String, Long> byThread = demo.cpuNanosByThread();
      double rounds = held / h.duration("heartbeat", "10s").toSeconds();
      int open = 0;
      for (LoadClient c : clients) {
        open += c.isOpen() ? 1 : 0;
      }
      report("steady", "", "still connected after " + hold.toSeconds() + " s", Integer.toString(open));
      report("steady", "", "server CPU while idle (after " + warmup.toSeconds() + " s of warm-up)",
          String.format("%.1f%% of a core, %.1f µs per connection per heartbeat round",
          cpu / 1e7 / held, cpu / 1e3 / rounds / users));
      StringBuilder split = new StringBuilder();
      byThread.entrySet().stream()
          .map(e -> Map.entry(e.getKey(), e.getValue() - byThread0.getOrDefault(e.getKey(), 0L)))
          .filter(e -> e.getValue() > 0)
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .forEach(e -> split.append(split.length() == 0 ? "" : ", ").append(e.getKey()).append(' ')
              .append(String.format("%.1f", e.getValue() / 1e3 / rounds / users)));
      report("steady", "", "µs per connection per round by server thread", split.toString());
      List<Double> pauses = demo.gcPauses();
      Stats p = new Stats();
      pauses.subList(pauses0, pauses.size()).forEach(p::add);
      report("steady", "", "GC pauses while idle, ms", p.toString());
      long heap = demo.heapUsedAfterGc();
      long rss = demo.statusKib("VmRSS");
      report("steady", "", "live heap per connection (after full GC, container included)",
          String.format("%.1f KiB", (heap - heap0) / 1024.0 / users));
      report("steady", "", "RSS per connection", String.format("%.1f KiB", (rss - rss0) / (double) users));
      h.check(open == users, "steady: every connection survived");
      long before = sum(clients);
      Duration stop = demo.stop();
      awaitClosed(clients);
      long during = sum(clients) - before;
      report("steady", "", "graceful stop (SIGTERM) with " + users + " sessions",
          String.format("%.2f s, %d messages to clients while stopping; %s", stop.toMillis() / 1000.0, during,
              demo.stopBreakdown()));
    } finally {
      h.parallel(clients, LoadClient::leave);
      demo.close();
    }
  }
}
