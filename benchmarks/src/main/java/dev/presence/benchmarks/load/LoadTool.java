package dev.presence.benchmarks.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Drives the demo, in a JVM of its own, with real WebSocket clients over loopback (the JDK's
 * {@code java.net.http} client) through the scenarios of issue 11, each bounded in count and
 * time. The database is a mongo-java-server in this JVM, so that the demo can be restarted
 * without losing its threads. Run with {@code benchmarks/load.sh} (it raises the open-file limit).
 *
 * <pre>
 * storm users=2000 spread=10s windows=0,1s    reconnect storm: users in threads of 50, 5 threads each
 *                                              (port=N: the demo on a fixed port, to capture its traffic)
 * room members=2000 flappers=50 duration=20s windows=0,1s   one large thread, members flapping
 * steady users=10000 hold=30s ping=both       idle connections, heartbeat 10 s (ping=frame|json|both), measured
 *                                              after warmup=20s, then SIGTERM
 * crash users=2000                             kill -9 of a client process; time to 0 sessions
 * smoke                                         small storm + room + crash; exits 1 on a ghost or no convergence
 * </pre>
 *
 * <p>Prints one report block per run on standard output. Exits 1 if a check failed (a ghost, a
 * client that never converged), 2 on bad arguments, 3 past its time limit. The scenarios are
 * {@link StormScenario}, {@link RoomScenario}, {@link SteadyScenario} and {@link CrashScenario} over a
 * shared {@link Harness}; a failed check is explained by a {@link Diagnosis}. Not instantiable.
 */
public final class LoadTool {
  private LoadTool() {}

  /**
   * Runs one scenario.
   *
   * @param args the scenario name, then {@code key=value} options
   */
  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: load.sh storm|room|steady|crash|smoke|hold [key=value ...]");
      System.exit(2);
    }
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 1; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      if (eq <= 0) {
        System.err.println("options are key=value: '" + args[i] + "'");
        System.exit(2);
      }
      opts.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    if (args[0].equals("hold")) { // the child of the crash scenario
      CrashScenario.hold(Integer.parseInt(opts.get("port")), Integer.parseInt(opts.get("users")),
          Duration.ofSeconds(Long.parseLong(opts.getOrDefault("seconds", "120"))));
      return;
    }
    long limit = Long.parseLong(opts.getOrDefault("timeout", "1800"));
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(TimeUnit.SECONDS.toMillis(limit));
        System.err.println("load tool: time limit of " + limit + " s reached, stopping");
        Runtime.getRuntime().halt(3);
      } catch (InterruptedException e) {
        // done in time
      }
    }, "watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    boolean ok;
    try (Harness h = new Harness(opts)) {
      System.out.println("# " + String.join(" ", args) + " | " + machine());
      switch (args[0]) {
        case "storm" -> forEachWindow(h, new StormScenario(h)::run);
        case "room" -> forEachWindow(h, new RoomScenario(h)::run);
        case "steady" -> new SteadyScenario(h).run();
        case "crash" -> new CrashScenario(h).run();
        case "smoke" -> smoke(h);
        default -> {
          System.err.println("unknown scenario " + args[0]);
          System.exit(2);
        }
      }
      ok = !h.failed();
    }
    System.exit(ok ? 0 : 1);
  }

  private static String machine() {
    String load = "?";
    try {
      load = Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      // not Linux
    }
    return Runtime.getRuntime().availableProcessors() + " cpus, load " + load;
  }

  private interface PerWindow {
    void run(String window) throws Exception;
  }

  private static void forEachWindow(Harness h, PerWindow scenario) throws Exception {
    for (String w : h.opt("windows", "0,1s").split(",", -1)) {
      if (w.isBlank()) {
        continue;
      }
      scenario.run(w.strip());
    }
  }

  /** Small enough for every build: a batched storm of 300, an immediate one of 150, a room, a crash. */
  private static void smoke(Harness h) throws Exception {
    Map<String, String> options = h.options;
    options.putIfAbsent("spread", "2s");
    options.putIfAbsent("members", "100");
    options.putIfAbsent("flappers", "10");
    options.putIfAbsent("duration", "2s");
    options.put("users", "300");
    new StormScenario(h).run("500ms");
    options.put("users", "150");
    new StormScenario(h).run("0");
    new RoomScenario(h).run("500ms");
    options.put("users", "50");
    new CrashScenario(h).run();
  }
}
