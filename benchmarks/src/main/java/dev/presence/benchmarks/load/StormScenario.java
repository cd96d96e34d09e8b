package dev.presence.benchmarks.load;

import static dev.presence.benchmarks.load.Harness.awaitClosed;
import static dev.presence.benchmarks.load.Harness.awaitConverged;
import static dev.presence.benchmarks.load.Harness.awaitCorrect;
import static dev.presence.benchmarks.load.Harness.ids;
import static dev.presence.benchmarks.load.Harness.losses;
import static dev.presence.benchmarks.load.Harness.report;
import static dev.presence.benchmarks.load.Harness.secs;
import static dev.presence.benchmarks.load.Harness.sum;
import static dev.presence.benchmarks.load.Harness.windowMillis;
import static dev.presence.benchmarks.load.Harness.wrongEntries;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The reconnect storm: users in threads of {@code group} members ({@code threads-per-user}
 * threads each), everyone connected and converged, the demo stopped with SIGTERM and started
 * again on the same port, every client reconnecting (a login, then the socket) at a random moment
 * within {@code spread}; then 10 % leave for good. Checks that every view converges and that no
 * view is left wrong; explains any failure with a {@link Diagnosis}. Clients whose socket is lost
 * unexpectedly reconnect by themselves, like presence-client.js, and are counted. Not thread-safe.
 */
final class StormScenario {
  private final Harness h;

  StormScenario(Harness h) {
    this.h = h;
  }

  void run(String window) throws Exception {
    int users = h.intOpt("users", 2000);
    int group = h.intOpt("group", 50);
    int perUser = h.intOpt("threads-per-user", 5);
    Duration spread = h.duration("spread", "10s");
    int run = h.nextRun();
    List<String> ids = ids("s" + run + "u", users);
    List<List<String>> threads = new ArrayList<>();
    for (int r = 0; r < perUser; r++) {
      List<String> shuffled = new ArrayList<>(ids);
      Collections.shuffle(shuffled, h.random);
      for (int i = 0; i + 1 < shuffled.size(); i += group) {
        threads.add(shuffled.subList(i, Math.min(i + group, shuffled.size())));
      }
    }
    Map<String, Set<String>> co = new HashMap<>();
    for (String u : ids) {
      co.put(u, new HashSet<>());
    }
    for (List<String> t : threads) {
      for (String u : t) {
        co.get(u).addAll(t);
      }
    }
    co.forEach((u, s) -> s.remove(u));
    List<String> flags = h.demoFlags(window, "storm" + run);
    // port=N: a fixed port (e.g. to capture its traffic); default any free one
    DemoProcess demo = DemoProcess.start(h.intOpt("port", 0), h.opt("heap", "2g"), h.workDir, flags);
    int port = demo.port;
    List<LoadClient> clients = new ArrayList<>();
    Set<String> everyone = new HashSet<>(ids);
    try {
      DemoApi api = new DemoApi(h.http, port);
      long t0 = System.nanoTime();
      Map<String, LoadClient> byId = new HashMap<>();
      for (String u : ids) {
        LoadClient c = new LoadClient(u, co.get(u));
        clients.add(c);
        byId.put(u, c);
      }
      h.parallel(clients, c -> c.token = api.login(c.userId));
      h.parallel(threads, t -> api.createThread(byId.get(t.get(0)).token, "t", t.subList(1, t.size())));
      report("storm", window, "setup (logins + " + threads.size() + " threads)", secs(System.nanoTime() - t0));
      h.keepConnected(clients, api, port, at -> { });
      h.connectAll(clients, port);
      clients.forEach(c -> c.expect(c.coMembers));
      long ramped = System.nanoTime();
      if (!awaitConverged(clients, Duration.ofSeconds(60))) {
        new Diagnosis("storm", window, api, t0).report("before the restart", clients, clients, everyone);
        h.check(false, "storm " + window + ": every client converged within 60 s of connecting");
        // late (the fan-out still catching up) or never (lost)? wait up to 2 more minutes
        boolean late = awaitConverged(clients, Duration.ofMinutes(2));
        report("storm", window, "before the restart: every view correct after the last connect, s",
            late ? secs(clients.stream().mapToLong(LoadClient::convergedAt).max().orElse(0) - ramped)
                : "not within 180 s");
      }
      long lostBefore = losses(clients);
      if (lostBefore > 0) {
        report("storm", window, "sockets lost unexpectedly before the restart (the clients reconnected)",
            lostBefore + "; " + Diagnosis.lossCauses(clients));
      }
      long before = sum(clients);
      // --- restart
      Harness.stopReconnecting(clients);
      Duration stop = demo.stop();
      awaitClosed(clients);
      clients.forEach(c -> c.expect(c.coMembers));
      long duringStop = sum(clients) - before;
      report("storm", window, "graceful stop (SIGTERM) with " + users + " users online",
          String.format("%.2f s, %d messages to clients while stopping (%.1f per client); %s",
              stop.toMillis() / 1000.0, duringStop, duringStop / (double) users, demo.stopBreakdown()));
      demo = DemoProcess.start(port, h.opt("heap", "2g"), h.workDir, flags);
      DemoApi api2 = new DemoApi(h.http, port);
      stormAndLeave(window, demo, api2, clients, everyone, spread, lostBefore);
    } finally {
      Harness.stopReconnecting(clients);
      h.parallel(clients, LoadClient::leave);
      demo.close();
    }
  }

  private void stormAndLeave(String window, DemoProcess demo, DemoApi api, List<LoadClient> clients,
      Set<String> everyone, Duration spread, long lostBefore) throws Exception {
    int users = clients.size();
    int port = demo.port;
    String observer = api.login("observer-" + clients.get(0).userId);
    long db0 = api.dbCommands(observer);
    long cpu0 = demo.cpuNanos();
    long msgs0 = sum(clients);
    AtomicLong firstOpen = new AtomicLong(Long.MAX_VALUE);
    AtomicLong lastOpen = new AtomicLong();
    LongConsumer opened = at -> {
      firstOpen.accumulateAndGet(at, Math::min);
      lastOpen.accumulateAndGet(at, Math::max);
    };
    long start = System.nanoTime();
    h.keepConnected(clients, api, port, opened); // a socket lost after its reconnect: once more
    // Each client retries until this long after its slot: 2 minutes, or a second per 50 clients
    // for big storms on a small machine (the reconnect rate, not the spread, is then the bound).
    long retry = Math.max(120, users / 50);
    List<CompletableFuture<Void>> reconnects = new ArrayList<>();
    for (LoadClient c : clients) {
      long delay = (long) (h.random.nextDouble() * spread.toNanos());
      CompletableFuture<Void> done = new CompletableFuture<>();
      reconnects.add(done);
      var unused = h.timers.schedule(() -> h.reconnect(c, api, port, start + delay + TimeUnit.SECONDS.toNanos(retry),
          opened, done), delay, TimeUnit.NANOSECONDS);
    }
    try {
      CompletableFuture.allOf(reconnects.toArray(CompletableFuture[]::new))
          .get(spread.toSeconds() + retry + 10, TimeUnit.SECONDS);
    } catch (TimeoutException | ExecutionException e) {
      long done = reconnects.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).count();
      report("storm", window, "reconnected within " + (spread.toSeconds() + retry) + " s",
          done + " of " + users + " (the rest gave up: " + e.getClass().getSimpleName() + ")");
    }
    boolean converged = awaitConverged(clients, Duration.ofSeconds(60));
    long cpu = demo.cpuNanos() - cpu0;
    if (!converged) {
      new Diagnosis("storm", window, api, start).report("after the storm", clients, clients, everyone);
    }
    Stats fromFirst = new Stats();
    Stats afterLast = new Stats();
    for (LoadClient c : clients) {
      if (c.convergedAt() > 0) {
        fromFirst.add((c.convergedAt() - firstOpen.get()) / 1e9);
        afterLast.add(Math.max(0, c.convergedAt() - lastOpen.get()) / 1e9);
      }
    }
    Thread.sleep(windowMillis(window) + 500);
    long stormMsgs = sum(clients) - msgs0;
    long db = api.dbCommands(observer) - db0;
    long lost = losses(clients) - lostBefore;
    report("storm", window, "reconnect spread", secs(lastOpen.get() - firstOpen.get()));
    report("storm", window, "sockets lost unexpectedly during the storm (the clients reconnected; counted in the spread)",
        lost + (lost > 0 ? "; " + Diagnosis.lossCauses(clients) : ""));
    Diagnosis.lossSamples(clients, 3).forEach(l -> report("storm", window, "a lost socket", l));
    report("storm", window, "convergence after the first reconnect, s", fromFirst.toString());
    report("storm", window, "convergence after the last reconnect, s", afterLast.toString());
    report("storm", window, "messages per client during the storm", String.format("%.1f", stormMsgs / (double) users));
    report("storm", window, "database commands per reconnecting client",
        String.format("%.2f (login upsert: the demo's token key is per process)", db / (double) users));
    report("storm", window, "server CPU during the storm", secs(cpu) + " s");
    report("storm", window, "server RSS peak", demo.statusKib("VmHWM") / 1024 + " MiB");
    h.check(converged, "storm " + window + ": every client converged");
    // --- 10 % leave for good: nobody may keep showing them online
    List<LoadClient> leaving = clients.subList(0, users / 10);
    List<LoadClient> staying = clients.subList(users / 10, users);
    h.parallel(leaving, LoadClient::leave);
    Set<String> online = new HashSet<>();
    staying.forEach(c -> online.add(c.userId));
    long took = awaitCorrect(staying, online, Duration.ofSeconds(windowMillis(window) / 1000 + 60));
    long wrong = wrongEntries(staying, online);
    report("storm", window, "after 10% left: every view correct after, s", took < 0 ? "not within 60 s" : secs(took));
    report("storm", window, "wrong entries in all views after 10% left (ghosts and misses)", Long.toString(wrong));
    if (wrong > 0) {
      new Diagnosis("storm", window, api, start).report("after 10% left", clients, staying, online);
    }
    h.check(wrong == 0, "storm " + window + ": no ghosts");
  }
}
