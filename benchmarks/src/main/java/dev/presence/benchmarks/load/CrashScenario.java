package dev.presence.benchmarks.load;

import static dev.presence.benchmarks.load.Harness.ids;
import static dev.presence.benchmarks.load.Harness.report;
import static dev.presence.benchmarks.load.Harness.secs;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Crash: a child process holding connections is killed with SIGKILL; reports how long until the
 * demo's {@code /stats} shows no session. {@link #hold} is that child. Not thread-safe.
 */
final class CrashScenario {
  private final Harness h;

  CrashScenario(Harness h) {
    this.h = h;
  }

  /** Crash: a client process holding connections is killed with SIGKILL. */
  void run() throws Exception {
    int users = h.intOpt("users", 2000);
    String hb = h.opt("heartbeat", "10s");
    int run = h.nextRun();
    List<String> flags = new ArrayList<>(h.demoFlags("1s", "crash" + run));
    flags.addAll(List.of("--heartbeat-interval", hb));
    DemoProcess demo = DemoProcess.start(0, h.opt("heap", "2g"), h.workDir, flags);
    Process child = null;
    try {
      DemoApi api = new DemoApi(h.http, demo.port);
      String observer = api.login("observer-crash" + run);
      child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx1g", "-cp", System.getProperty("java.class.path"), LoadTool.class.getName(), "hold",
          "port=" + demo.port, "users=" + users, "seconds=300")
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
      String line = out.readLine();
      if (!"HELD".equals(line)) {
        throw new IOException("the client process did not hold its connections: " + line);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (api.stats(observer).at("/presence/sessions").asInt() < users && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      long t0 = System.nanoTime();
      child.destroyForcibly(); // SIGKILL
      child.waitFor();
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      int left;
      while ((left = api.stats(observer).at("/presence/sessions").asInt()) > 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      report("crash", "", "kill -9 of a process holding " + users + " connections: time until /stats shows 0 sessions",
          secs(System.nanoTime() - t0) + " s (" + left + " left; heartbeat " + hb + ")");
      h.check(left == 0, "crash: every session ended");
    } finally {
      if (child != null) {
        child.destroyForcibly();
      }
      demo.close();
    }
  }

  /** The crash scenario's child: connects users, prints HELD, waits to be killed (at most seconds). */
  static void hold(int port, int users, Duration max) throws Exception {
    try (Harness tool = new Harness(new HashMap<>())) {
      DemoApi api = new DemoApi(tool.http, port);
      List<LoadClient> clients = new ArrayList<>();
      for (String u : ids("k" + ProcessHandle.current().pid() + "u", users)) {
        clients.add(new LoadClient(u, Set.of()));
      }
      tool.parallel(clients, c -> c.token = api.login(c.userId));
      tool.connectAll(clients, port);
      System.out.println("HELD");
      System.out.flush();
      Thread.sleep(max.toMillis());
    }
    System.exit(0);
  }
}
