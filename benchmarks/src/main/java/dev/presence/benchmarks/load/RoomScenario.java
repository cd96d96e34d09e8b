package dev.presence.benchmarks.load;

import static dev.presence.benchmarks.load.Harness.awaitConverged;
import static dev.presence.benchmarks.load.Harness.awaitCorrect;
import static dev.presence.benchmarks.load.Harness.ids;
import static dev.presence.benchmarks.load.Harness.losses;
import static dev.presence.benchmarks.load.Harness.report;
import static dev.presence.benchmarks.load.Harness.secs;
import static dev.presence.benchmarks.load.Harness.sleepUntil;
import static dev.presence.benchmarks.load.Harness.sum;
import static dev.presence.benchmarks.load.Harness.windowMillis;
import static dev.presence.benchmarks.load.Harness.wrongEntries;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The large room: one thread of {@code members} members, all online, {@code flappers} of them
 * connecting and disconnecting for {@code duration}. Reports messages per recipient per second and
 * the server's CPU per transition; checks that every view ends up correct. Members that do not
 * flap reconnect by themselves after an unexpected loss, like presence-client.js. Not thread-safe.
 */
final class RoomScenario {
  private final Harness h;

  RoomScenario(Harness h) {
    this.h = h;
  }

  /** Large room: one thread, everyone online, some members flapping. */
  void run(String window) throws Exception {
    int members = h.intOpt("members", 2000);
    int flappers = h.intOpt("flappers", 50);
    Duration duration = h.duration("duration", "20s");
    int run = h.nextRun();
    List<String> ids = ids("r" + run + "m", members);
    DemoProcess demo = DemoProcess.start(0, h.opt("heap", "2g"), h.workDir, h.demoFlags(window, "room" + run));
    List<LoadClient> clients = new ArrayList<>();
    try {
      DemoApi api = new DemoApi(h.http, demo.port);
      Set<String> all = new HashSet<>(ids);
      for (String u : ids) {
        Set<String> others = new HashSet<>(all);
        others.remove(u);
        clients.add(new LoadClient(u, others));
      }
      long t0 = System.nanoTime();
      h.parallel(clients, c -> c.token = api.login(c.userId));
      String owner = clients.get(0).token;
      int first = Math.min(100, members);
      String thread = api.createThread(owner, "room", ids.subList(1, first));
      h.parallel(clients.subList(first, members), c -> {
        api.invite(owner, thread, c.userId);
        api.accept(c.token, thread);
      });
      report("room", window, "building a " + members + "-member room through the API", secs(System.nanoTime() - t0) + " s");
      long cpuConnect0 = demo.cpuNanos();
      h.connectAll(clients, demo.port);
      List<LoadClient> flapping = clients.subList(members - flappers, members);
      List<LoadClient> steady = clients.subList(0, members - flappers);
      h.keepConnected(steady, api, demo.port, at -> { });
      clients.forEach(c -> c.expect(c.coMembers));
      h.check(awaitConverged(clients, Duration.ofMinutes(2)), "room " + window + ": everyone sees the full room");
      long initial = sum(clients);
      report("room", window, "messages while the room came online",
          String.format("%d (%.1f per member), server CPU %s s", initial, initial / (double) members,
              secs(demo.cpuNanos() - cpuConnect0)));
      long msgs0 = sum(steady);
      long cpu0 = demo.cpuNanos();
      AtomicLong transitions = new AtomicLong();
      long end = System.nanoTime() + duration.toNanos();
      long start = System.nanoTime();
      List<CompletableFuture<Void>> flaps = new ArrayList<>();
      for (LoadClient f : flapping) {
        flaps.add(CompletableFuture.runAsync(() -> flap(f, demo.port, end, transitions), h.loops));
      }
      CompletableFuture.allOf(flaps.toArray(CompletableFuture[]::new)).get(duration.toSeconds() + 120, TimeUnit.SECONDS);
      double seconds = (System.nanoTime() - start) / 1e9;
      long cpu = demo.cpuNanos() - cpu0;
      long msgs = sum(steady) - msgs0;
      report("room", window, "flapping", String.format("%d transitions in %.1f s (%.1f/s)", transitions.get(), seconds,
          transitions.get() / seconds));
      report("room", window, "messages per recipient per second",
          String.format("%.2f", msgs / (double) steady.size() / seconds));
      report("room", window, "server CPU per transition",
          String.format("%.2f ms (%.0f%% of a core)", cpu / 1e6 / Math.max(1, transitions.get()), cpu / 1e7 / seconds));
      long took = awaitCorrect(clients, all, Duration.ofSeconds(windowMillis(window) / 1000 + 60));
      long ghosts = wrongEntries(clients, all);
      report("room", window, "every view correct after the flapping stopped, s", took < 0 ? "not within 60 s" : secs(took));
      report("room", window, "wrong entries in all views after the flapping stopped", Long.toString(ghosts));
      report("room", window, "sockets lost unexpectedly (the clients reconnected)",
          losses(clients) + (losses(clients) > 0 ? "; " + Diagnosis.lossCauses(clients) : ""));
      if (ghosts > 0) {
        new Diagnosis("room", window, api, t0).report("after the flapping", clients, clients, all);
      }
      report("room", window, "server RSS peak", demo.statusKib("VmHWM") / 1024 + " MiB");
      h.check(ghosts == 0, "room " + window + ": no ghosts");
    } finally {
      Harness.stopReconnecting(clients);
      h.parallel(clients, LoadClient::leave);
      demo.close();
    }
  }

  private void flap(LoadClient f, int port, long end, AtomicLong transitions) {
    Random r = new Random(f.userId.hashCode());
    while (System.nanoTime() < end) {
      f.leave();
      transitions.incrementAndGet();
      sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200 + r.nextInt(600)));
      try {
        f.connect(h.http, port).get(30, TimeUnit.SECONDS);
        transitions.incrementAndGet();
      } catch (Exception e) {
        System.err.println("flapper " + f.userId + " could not reconnect: " + e);
      }
      sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200 + r.nextInt(600)));
    }
  }
}
