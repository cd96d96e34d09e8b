package dev.presence.benchmarks.load;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives the demo, in a JVM of its own, with real WebSocket clients over loopback (the JDK's
 * {@code java.net.http} client) through the scenarios of issue 11, each bounded in count and
 * time. The database is a mongo-java-server in this JVM, so that the demo can be restarted
 * without losing its threads. Run with {@code benchmarks/load.sh} (it raises the open-file limit).
 *
 * <pre>
 * storm users=2000 spread=10s windows=0,1s    reconnect storm: users in threads of 50, 5 threads each
 * room members=2000 flappers=50 duration=20s windows=0,1s   one large thread, members flapping
 * steady users=10000 hold=30s ping=both       idle connections, heartbeat 10 s (ping=frame|json|both), measured
 *                                              after warmup=20s, then SIGTERM
 * crash users=2000                             kill -9 of a client process; time to 0 sessions
 * smoke                                         small storm + room + crash; exits 1 on a ghost or no convergence
 * </pre>
 *
 * <p>Prints one report block per run on standard output. Exits 1 if a check failed (a ghost, a
 * client that never converged), 2 on bad arguments. Not thread-safe; one instance per process.
 */
public final class LoadTool implements AutoCloseable {
  private final Map<String, String> options;
  private final HttpClient http;
  private final ExecutorService callbacks = Executors.newFixedThreadPool(4, daemon("ws-client"));
  private final ExecutorService workers = Executors.newFixedThreadPool(16, daemon("load-worker"));
  private final java.util.concurrent.ScheduledExecutorService timers =
      Executors.newScheduledThreadPool(16, daemon("load-timer"));
  private final ExecutorService loops = Executors.newCachedThreadPool(daemon("load-loop"));
  private final MongoServer mongo;
  private final Path workDir = Path.of(System.getProperty("java.io.tmpdir"), "presence-load");
  private final Random random = new Random(11);
  private boolean failed;
  private int run;

  private LoadTool(Map<String, String> options) {
    this.options = options;
    this.http = HttpClient.newBuilder().executor(callbacks).connectTimeout(Duration.ofSeconds(30)).build();
    this.mongo = new MongoServer(new MemoryBackend().version(ServerVersion.MONGO_5_0));
    mongo.bind("127.0.0.1", 0);
  }

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
      hold(Integer.parseInt(opts.get("port")), Integer.parseInt(opts.get("users")),
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
    try (LoadTool tool = new LoadTool(opts)) {
      System.out.println("# " + String.join(" ", args) + " | " + machine());
      switch (args[0]) {
        case "storm" -> tool.forEachWindow(tool::storm);
        case "room" -> tool.forEachWindow(tool::room);
        case "steady" -> tool.steady();
        case "crash" -> tool.crash();
        case "smoke" -> tool.smoke();
        default -> {
          System.err.println("unknown scenario " + args[0]);
          System.exit(2);
        }
      }
      ok = !tool.failed;
    }
    System.exit(ok ? 0 : 1);
  }

  private static String machine() {
    String load = "?";
    try {
      load = java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      // not Linux
    }
    return Runtime.getRuntime().availableProcessors() + " cpus, load " + load;
  }

  // ------------------------------------------------------------------ scenarios

  private interface PerWindow {
    void run(String window) throws Exception;
  }

  private void forEachWindow(PerWindow scenario) throws Exception {
    for (String w : opt("windows", "0,1s").split(",")) {
      scenario.run(w);
    }
  }

  /** Small enough for every build: a batched storm of 300, an immediate one of 150, a room, a crash. */
  private void smoke() throws Exception {
    options.putIfAbsent("spread", "2s");
    options.putIfAbsent("members", "100");
    options.putIfAbsent("flappers", "10");
    options.putIfAbsent("duration", "2s");
    options.put("users", "300");
    storm("500ms");
    options.put("users", "150");
    storm("0");
    room("500ms");
    options.put("users", "50");
    crash();
  }

  /** Reconnect storm: everyone connected, the server restarted, everyone reconnects. */
  private void storm(String window) throws Exception {
    int users = intOpt("users", 2000);
    int group = intOpt("group", 50);
    int perUser = intOpt("threads-per-user", 5);
    Duration spread = duration("spread", "10s");
    List<String> ids = ids("s" + (++run) + "u", users);
    Map<String, Set<String>> co = new HashMap<>();
    List<List<String>> threads = new ArrayList<>();
    for (int r = 0; r < perUser; r++) {
      List<String> shuffled = new ArrayList<>(ids);
      Collections.shuffle(shuffled, random);
      for (int i = 0; i + 1 < shuffled.size(); i += group) {
        threads.add(shuffled.subList(i, Math.min(i + group, shuffled.size())));
      }
    }
    for (String u : ids) {
      co.put(u, new HashSet<>());
    }
    for (List<String> t : threads) {
      for (String u : t) {
        co.get(u).addAll(t);
      }
    }
    co.forEach((u, s) -> s.remove(u));
    List<String> flags = demoFlags(window, "storm" + run);
    DemoProcess demo = DemoProcess.start(0, opt("heap", "2g"), workDir, flags);
    int port = demo.port;
    List<LoadClient> clients = new ArrayList<>();
    try {
      DemoApi api = new DemoApi(http, port);
      long t0 = System.nanoTime();
      Map<String, LoadClient> byId = new HashMap<>();
      for (String u : ids) {
        LoadClient c = new LoadClient(u, co.get(u));
        clients.add(c);
        byId.put(u, c);
      }
      parallel(clients, c -> c.token = api.login(c.userId));
      parallel(threads, t -> api.createThread(byId.get(t.get(0)).token, "t", t.subList(1, t.size())));
      report("storm", window, "setup (logins + " + threads.size() + " threads)", secs(System.nanoTime() - t0));
      connectAll(clients, port);
      clients.forEach(c -> c.expect(c.coMembers));
      awaitConverged(clients, Duration.ofSeconds(60));
      long before = sum(clients);
      // --- restart
      long cpuStop0 = demo.cpuNanos();
      Duration stop = demo.stop();
      awaitClosed(clients);
      clients.forEach(c -> c.expect(c.coMembers));
      long duringStop = sum(clients) - before;
      report("storm", window, "graceful stop (SIGTERM) with " + users + " users online",
          String.format("%.2f s, %d messages to clients while stopping (%.1f per client); %s",
              stop.toMillis() / 1000.0, duringStop, duringStop / (double) users, demo.stopBreakdown()));
      demo = DemoProcess.start(port, opt("heap", "2g"), workDir, flags);
      DemoApi api2 = new DemoApi(http, port);
      String observer = api2.login("observer" + run);
      long db0 = api2.dbCommands(observer);
      long cpu0 = demo.cpuNanos();
      long msgs0 = sum(clients);
      AtomicLong firstOpen = new AtomicLong(Long.MAX_VALUE);
      AtomicLong lastOpen = new AtomicLong();
      long start = System.nanoTime();
      // Each client retries until this long after its slot: 2 minutes, or a second per 50 clients
      // for big storms on a small machine (the reconnect rate, not the spread, is then the bound).
      long retry = Math.max(120, users / 50);
      List<CompletableFuture<Void>> reconnects = new ArrayList<>();
      for (LoadClient c : clients) {
        long delay = (long) (random.nextDouble() * spread.toNanos());
        CompletableFuture<Void> done = new CompletableFuture<>();
        reconnects.add(done);
        timers.schedule(() -> reconnect(c, api2, port, start + delay + TimeUnit.SECONDS.toNanos(retry),
            firstOpen, lastOpen, done), delay, TimeUnit.NANOSECONDS);
      }
      try {
        CompletableFuture.allOf(reconnects.toArray(CompletableFuture[]::new))
            .get(spread.toSeconds() + retry + 10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
        long done = reconnects.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).count();
        report("storm", window, "reconnected within " + (spread.toSeconds() + retry) + " s",
            done + " of " + users + " (the rest gave up: " + e.getClass().getSimpleName() + ")");
      }
      boolean converged = awaitConverged(clients, Duration.ofSeconds(60));
      long cpu = demo.cpuNanos() - cpu0;
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
      long db = api2.dbCommands(observer) - db0;
      report("storm", window, "reconnect spread", secs(lastOpen.get() - firstOpen.get()));
      report("storm", window, "convergence after the first reconnect, s", fromFirst.toString());
      report("storm", window, "convergence after the last reconnect, s", afterLast.toString());
      report("storm", window, "messages per client during the storm",
          String.format("%.1f", stormMsgs / (double) users));
      report("storm", window, "database commands per reconnecting client",
          String.format("%.2f (login upsert: the demo's token key is per process)", db / (double) users));
      report("storm", window, "server CPU during the storm", secs(cpu) + " s");
      report("storm", window, "server RSS peak", demo.statusKib("VmHWM") / 1024 + " MiB");
      check(converged, "storm " + window + ": every client converged");
      // --- 10 % leave for good: nobody may keep showing them online
      List<LoadClient> leaving = clients.subList(0, users / 10);
      parallel(leaving, LoadClient::leave);
      Set<String> online = new HashSet<>();
      for (LoadClient c : clients.subList(users / 10, users)) {
        online.add(c.userId);
      }
      Thread.sleep(windowMillis(window) + 3000);
      long ghosts = 0;
      for (LoadClient c : clients.subList(users / 10, users)) {
        ghosts += c.wrong(online);
      }
      report("storm", window, "ghosts (wrong entries in all views) after 10% left", Long.toString(ghosts));
      check(ghosts == 0, "storm " + window + ": no ghosts");
    } finally {
      parallel(clients, LoadClient::leave);
      demo.close();
    }
  }

  /** One attempt (login, then the socket); on failure another after 250-500 ms, until the deadline. */
  private void reconnect(LoadClient c, DemoApi api, int port, long deadline, AtomicLong firstOpen,
      AtomicLong lastOpen, CompletableFuture<Void> done) {
    try {
      c.token = api.login(c.userId);
      c.connect(http, port).get(30, TimeUnit.SECONDS);
      long now = c.openedAt;
      firstOpen.accumulateAndGet(now, Math::min);
      lastOpen.accumulateAndGet(now, Math::max);
      done.complete(null);
    } catch (Exception e) {
      if (System.nanoTime() > deadline) {
        done.completeExceptionally(e);
      } else {
        timers.schedule(() -> reconnect(c, api, port, deadline, firstOpen, lastOpen, done),
            250 + random.nextInt(250), TimeUnit.MILLISECONDS);
      }
    }
  }

  /** Large room: one thread, everyone online, some members flapping. */
  private void room(String window) throws Exception {
    int members = intOpt("members", 2000);
    int flappers = intOpt("flappers", 50);
    Duration duration = duration("duration", "20s");
    List<String> ids = ids("r" + (++run) + "m", members);
    DemoProcess demo = DemoProcess.start(0, opt("heap", "2g"), workDir, demoFlags(window, "room" + run));
    List<LoadClient> clients = new ArrayList<>();
    try {
      DemoApi api = new DemoApi(http, demo.port);
      Set<String> all = new HashSet<>(ids);
      for (String u : ids) {
        Set<String> others = new HashSet<>(all);
        others.remove(u);
        clients.add(new LoadClient(u, others));
      }
      long t0 = System.nanoTime();
      parallel(clients, c -> c.token = api.login(c.userId));
      String owner = clients.get(0).token;
      int first = Math.min(100, members);
      String thread = api.createThread(owner, "room", ids.subList(1, first));
      parallel(clients.subList(first, members), c -> {
        api.invite(owner, thread, c.userId);
        api.accept(c.token, thread);
      });
      report("room", window, "building a " + members + "-member room through the API", secs(System.nanoTime() - t0) + " s");
      long cpuConnect0 = demo.cpuNanos();
      connectAll(clients, demo.port);
      clients.forEach(c -> c.expect(c.coMembers));
      check(awaitConverged(clients, Duration.ofSeconds(120)), "room " + window + ": everyone sees the full room");
      long initial = sum(clients);
      report("room", window, "messages while the room came online",
          String.format("%d (%.1f per member), server CPU %s s", initial, initial / (double) members,
              secs(demo.cpuNanos() - cpuConnect0)));
      List<LoadClient> flapping = clients.subList(members - flappers, members);
      List<LoadClient> steady = clients.subList(0, members - flappers);
      long msgs0 = sum(steady);
      long cpu0 = demo.cpuNanos();
      AtomicLong transitions = new AtomicLong();
      long end = System.nanoTime() + duration.toNanos();
      long start = System.nanoTime();
      List<CompletableFuture<Void>> flaps = new ArrayList<>();
      for (LoadClient f : flapping) {
        flaps.add(CompletableFuture.runAsync(() -> flap(f, demo.port, end, transitions), loops));
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
      Thread.sleep(windowMillis(window) + 3000);
      long ghosts = 0;
      for (LoadClient c : clients) {
        ghosts += c.wrong(all);
      }
      report("room", window, "ghosts after the flapping stopped", Long.toString(ghosts));
      report("room", window, "server RSS peak", demo.statusKib("VmHWM") / 1024 + " MiB");
      check(ghosts == 0, "room " + window + ": no ghosts");
    } finally {
      parallel(clients, LoadClient::leave);
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
        f.connect(http, port).get(30, TimeUnit.SECONDS);
        transitions.incrementAndGet();
      } catch (Exception e) {
        System.err.println("flapper " + f.userId + " could not reconnect: " + e);
      }
      sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200 + r.nextInt(600)));
    }
  }

  /** Steady: many idle connections with the heartbeat on. */
  private void steady() throws Exception {
    int users = intOpt("users", 10000);
    Duration hold = duration("hold", "30s");
    List<String> ids = ids("h" + (++run) + "u", users);
    List<String> flags = new ArrayList<>(demoFlags(opt("window", "1s"), "steady" + run));
    flags.addAll(List.of("--heartbeat-interval", opt("heartbeat", "10s"), "--ping-style", opt("ping", "both")));
    DemoProcess demo = DemoProcess.start(0, opt("heap", "4g"), workDir, flags);
    List<LoadClient> clients = new ArrayList<>();
    try {
      DemoApi api = new DemoApi(http, demo.port);
      for (String u : ids) {
        clients.add(new LoadClient(u, Set.of()));
      }
      parallel(clients, c -> c.token = api.login(c.userId));
      long heap0 = demo.heapUsedAfterGc();
      long rss0 = demo.statusKib("VmRSS");
      long t0 = System.nanoTime();
      connectAll(clients, demo.port);
      double connectSecs = (System.nanoTime() - t0) / 1e9;
      report("steady", "", "connects", String.format("%d in %.1f s: %.0f/s", users, connectSecs, users / connectSecs));
      // Warm-up: the first heartbeat rounds also pay for compiling the ping and pong paths.
      Duration warmup = duration("warmup", "20s");
      Thread.sleep(warmup.toMillis());
      int pauses0 = demo.gcPauses().size();
      long cpu0 = demo.cpuNanos();
      Map<String, Long> byThread0 = demo.cpuNanosByThread();
      long h0 = System.nanoTime();
      Thread.sleep(hold.toMillis());
      double held = (System.nanoTime() - h0) / 1e9;
      long cpu = demo.cpuNanos() - cpu0;
      Map<String, Long> byThread = demo.cpuNanosByThread();
      double rounds = held / duration("heartbeat", "10s").toSeconds();
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
      check(open == users, "steady: every connection survived");
      long before = sum(clients);
      Duration stop = demo.stop();
      awaitClosed(clients);
      long during = sum(clients) - before;
      report("steady", "", "graceful stop (SIGTERM) with " + users + " sessions",
          String.format("%.2f s, %d messages to clients while stopping; %s", stop.toMillis() / 1000.0, during,
              demo.stopBreakdown()));
    } finally {
      parallel(clients, LoadClient::leave);
      demo.close();
    }
  }

  /** Crash: a client process holding connections is killed with SIGKILL. */
  private void crash() throws Exception {
    int users = intOpt("users", 2000);
    String hb = opt("heartbeat", "10s");
    List<String> flags = new ArrayList<>(demoFlags("1s", "crash" + (++run)));
    flags.addAll(List.of("--heartbeat-interval", hb));
    DemoProcess demo = DemoProcess.start(0, opt("heap", "2g"), workDir, flags);
    Process child = null;
    try {
      DemoApi api = new DemoApi(http, demo.port);
      String observer = api.login("observer-crash" + run);
      child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx1g", "-cp", System.getProperty("java.class.path"), LoadTool.class.getName(), "hold",
          "port=" + demo.port, "users=" + users, "seconds=300")
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream()));
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
      check(left == 0, "crash: every session ended");
    } finally {
      if (child != null) {
        child.destroyForcibly();
      }
      demo.close();
    }
  }

  /** The crash scenario's child: connects users, prints HELD, waits to be killed (at most seconds). */
  private static void hold(int port, int users, Duration max) throws Exception {
    Map<String, String> opts = new HashMap<>();
    try (LoadTool tool = new LoadTool(opts)) {
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

  // ------------------------------------------------------------------ helpers

  private List<String> demoFlags(String window, String db) {
    String uri = "mongodb://127.0.0.1:" + mongo.getLocalAddress().getPort() + "/" + db;
    return new ArrayList<>(List.of("--mongo-uri", uri, "--batch-window", window));
  }

  /** Connects every client (at most {@code concurrency} handshakes at once); failures are reported, not thrown. */
  private void connectAll(List<LoadClient> clients, int port) throws Exception {
    Semaphore inFlight = new Semaphore(intOpt("concurrency", 200));
    AtomicLong failures = new AtomicLong();
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (LoadClient c : clients) {
      inFlight.acquire();
      all.add(c.connect(http, port).handle((w, e) -> {
        inFlight.release();
        if (e != null) {
          failures.incrementAndGet();
        }
        return null;
      }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
    if (failures.get() > 0) {
      System.out.println("| connect | | handshakes that failed (30 s timeout) | " + failures.get() + " of " + clients.size() + " |");
      check(false, "every client connected");
    }
  }

  private boolean awaitConverged(List<LoadClient> clients, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      boolean all = true;
      for (LoadClient c : clients) {
        if (c.convergedAt() == 0) {
          all = false;
          break;
        }
      }
      if (all) {
        return true;
      }
      Thread.sleep(20);
    }
    return false;
  }

  private static void awaitClosed(List<LoadClient> clients) throws Exception {
    for (LoadClient c : clients) {
      c.closedFuture().get(60, TimeUnit.SECONDS);
    }
  }

  private interface Work<T> {
    void run(T item) throws Exception;
  }

  private <T> void parallel(List<T> items, Work<T> work) throws Exception {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    int chunks = 16;
    for (int k = 0; k < chunks; k++) {
      int from = items.size() * k / chunks;
      int to = items.size() * (k + 1) / chunks;
      all.add(CompletableFuture.runAsync(() -> {
        for (T item : items.subList(from, to)) {
          try {
            work.run(item);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      }, workers));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.MINUTES);
  }

  private static long sum(List<LoadClient> clients) {
    long n = 0;
    for (LoadClient c : clients) {
      n += c.messages.get();
    }
    return n;
  }

  private static List<String> ids(String prefix, int n) {
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(prefix + i);
    }
    return out;
  }

  private static void sleepUntil(long nanoTime) {
    long wait = nanoTime - System.nanoTime();
    if (wait > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void check(boolean ok, String what) {
    System.out.println((ok ? "PASS " : "FAIL ") + what);
    if (!ok) {
      failed = true;
    }
  }

  private static void report(String scenario, String window, String what, String value) {
    System.out.println("| " + scenario + " | " + (window.isEmpty() ? "" : "window " + window) + " | " + what + " | " + value + " |");
    System.out.flush();
  }

  private static String secs(long nanos) {
    return String.format("%.2f", nanos / 1e9);
  }

  private static long windowMillis(String w) {
    return w.equals("0") ? 0 : parse(w).toMillis();
  }

  private String opt(String key, String def) {
    return options.getOrDefault(key, def);
  }

  private int intOpt(String key, int def) {
    return Integer.parseInt(options.getOrDefault(key, Integer.toString(def)));
  }

  private Duration duration(String key, String def) {
    return parse(opt(key, def));
  }

  private static Duration parse(String s) {
    if (s.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
    }
    if (s.endsWith("s")) {
      return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
    }
    return Duration.ofSeconds(Long.parseLong(s));
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicLong n = new AtomicLong();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public void close() {
    workers.shutdownNow();
    timers.shutdownNow();
    loops.shutdownNow();
    mongo.shutdownNow();
  }
}
