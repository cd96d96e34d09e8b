package dev.presence.benchmarks.load;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * What the load tool's scenarios share: the options, the JDK HTTP client and its threads, the
 * in-memory MongoDB the demo uses (so that a restarted demo keeps its threads), connecting and
 * reconnecting clients, waiting for their views, and the report lines. A check that fails marks
 * the run failed. Thread-safe where a method says so; one instance per process.
 */
final class Harness implements AutoCloseable {
  final Map<String, String> options;
  final HttpClient http;
  final Path workDir = Path.of(System.getProperty("java.io.tmpdir"), "presence-load");
  final Random random = new Random(11);
  private final ExecutorService callbacks = Executors.newFixedThreadPool(4, daemon("ws-client"));
  private final ExecutorService workers = Executors.newFixedThreadPool(16, daemon("load-worker"));
  final ScheduledExecutorService timers = Executors.newScheduledThreadPool(16, daemon("load-timer"));
  final ExecutorService loops = Executors.newCachedThreadPool(daemon("load-loop"));
  private final MongoServer mongo;
  private volatile boolean failed;
  private int run;

  Harness(Map<String, String> options) {
    this.options = options;
    this.http = HttpClient.newBuilder().executor(callbacks).connectTimeout(Duration.ofSeconds(30)).build();
    this.mongo = new MongoServer(new MemoryBackend().version(ServerVersion.MONGO_5_0));
    mongo.bind("127.0.0.1", 0);
  }

  /** A number for this run's user ids and database (runs in one process must not share them). */
  int nextRun() {
    return ++run;
  }

  boolean failed() {
    return failed;
  }

  /**
   * One attempt to (re)connect a client (a login, then the socket); on failure another after
   * 250-500 ms, until {@code deadline} (System.nanoTime). Thread-safe; meant to run on a timer
   * thread (an attempt waits up to 30 s for its handshake).
   *
   * @param opened told the time the socket opened
   * @param done completed when connected, exceptionally once the deadline passed
   */
  @SuppressWarnings("FutureReturnValueIgnored") // the retry reports its own outcome through done
  void reconnect(LoadClient c, DemoApi api, int port, long deadline, LongConsumer opened, CompletableFuture<Void> done) {
    try {
      c.token = api.login(c.userId);
      c.connect(http, port).get(30, TimeUnit.SECONDS);
      opened.accept(c.openedAt);
      done.complete(null);
    } catch (Exception e) {
      if (System.nanoTime() > deadline) {
        done.completeExceptionally(e);
      } else {
        timers.schedule(() -> reconnect(c, api, port, deadline, opened, done),
            250 + ThreadLocalRandom.current().nextInt(250), TimeUnit.MILLISECONDS);
      }
    }
  }

  /**
   * From now on, each of {@code clients} reconnects by itself (after 250-500 ms, retrying for up
   * to two minutes) when its socket is lost without being asked to close, as presence-client.js
   * does; {@code opened} is told when each such socket opens. Thread-safe.
   */
  @SuppressWarnings("FutureReturnValueIgnored") // reconnect catches its failures; the tool counts the losses
  void keepConnected(List<LoadClient> clients, DemoApi api, int port, LongConsumer opened) {
    for (LoadClient c : clients) {
      c.keepConnected(lost -> timers.schedule(() -> reconnect(lost, api, port,
          System.nanoTime() + TimeUnit.MINUTES.toNanos(2), opened, new CompletableFuture<>()),
          250 + ThreadLocalRandom.current().nextInt(250), TimeUnit.MILLISECONDS));
    }
  }

  /** Turns reconnecting off (before a deliberate stop of the demo). */
  static void stopReconnecting(List<LoadClient> clients) {
    clients.forEach(c -> c.keepConnected(null));
  }

  /** How many sockets of {@code clients} were lost unexpectedly (and reconnected by the client). */
  static long losses(List<LoadClient> clients) {
    return clients.stream().mapToLong(c -> c.losses.get()).sum();
  }

  /**
   * Waits until no view of {@code viewers} is wrong against {@code online}, at most {@code max};
   * returns how long that took in nanoseconds, or -1 if some views were still wrong.
   */
  static long awaitCorrect(List<LoadClient> viewers, Set<String> online, Duration max) throws InterruptedException {
    long t0 = System.nanoTime();
    long deadline = t0 + max.toNanos();
    do {
      if (viewers.stream().allMatch(c -> c.wrong(online) == 0)) {
        return System.nanoTime() - t0;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    return -1;
  }

  static long wrongEntries(List<LoadClient> viewers, Set<String> online) {
    return viewers.stream().mapToLong(c -> c.wrong(online)).sum();
  }

  List<String> demoFlags(String window, String db) {
    String uri = "mongodb://127.0.0.1:" + mongo.getLocalAddress().getPort() + "/" + db;
    return new ArrayList<>(List.of("--mongo-uri", uri, "--batch-window", window));
  }

  /** Connects every client (at most {@code concurrency} handshakes at once); failures are reported, not thrown. */
  void connectAll(List<LoadClient> clients, int port) throws Exception {
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

  static boolean awaitConverged(List<LoadClient> clients, Duration max) throws InterruptedException {
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

  static void awaitClosed(List<LoadClient> clients) throws Exception {
    for (LoadClient c : clients) {
      c.closedFuture().get(60, TimeUnit.SECONDS);
    }
  }

  interface Work<T> {
    void run(T item) throws Exception;
  }

  <T> void parallel(List<T> items, Work<T> work) throws Exception {
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

  static long sum(List<LoadClient> clients) {
    long n = 0;
    for (LoadClient c : clients) {
      n += c.messages.get();
    }
    return n;
  }

  static List<String> ids(String prefix, int n) {
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(prefix + i);
    }
    return out;
  }

  static void sleepUntil(long nanoTime) {
    long wait = nanoTime - System.nanoTime();
    if (wait > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  void check(boolean ok, String what) {
    System.out.println((ok ? "PASS " : "FAIL ") + what);
    if (!ok) {
      failed = true;
    }
  }

  static void report(String scenario, String window, String what, String value) {
    System.out.println("| " + scenario + " | " + (window.isEmpty() ? "" : "window " + window) + " | " + what + " | " + value + " |");
    System.out.flush();
  }

  static String secs(long nanos) {
    return String.format("%.2f", nanos / 1e9);
  }

  static long windowMillis(String w) {
    return w.equals("0") ? 0 : parse(w).toMillis();
  }

  String opt(String key, String def) {
    return options.getOrDefault(key, def);
  }

  int intOpt(String key, int def) {
    return Integer.parseInt(options.getOrDefault(key, Integer.toString(def)));
  }

  Duration duration(String key, String def) {
    return parse(opt(key, def));
  }

  static Duration parse(String s) {
    if (s.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
    }
    if (s.endsWith("s")) {
      return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
    }
    return Duration.ofSeconds(Long.parseLong(s));
  }

  static java.util.concurrent.ThreadFactory daemon(String name) {
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
