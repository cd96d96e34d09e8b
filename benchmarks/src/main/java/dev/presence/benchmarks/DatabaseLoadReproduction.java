package dev.presence.benchmarks;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import dev.presence.DisconnectReason;
import dev.presence.Outbound;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import dev.presence.Scheduler;
import dev.presence.ThreadEnricher;
import dev.presence.WriteBehindLastSeenStore;
import dev.presence.benchmarks.DatabaseLoadResult.Op;
import dev.presence.benchmarks.DatabaseLoadScript.Event;
import dev.presence.mongo.CommandCounter;
import dev.presence.mongo.MongoLastSeenStore;
import dev.presence.test.FakeTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.bson.Document;

/**
 * Reproduces the database-load table of DESIGN.md by counting the commands the MongoDB driver
 * really sends (a {@link CommandCounter} on the client) while one scripted workload runs on
 * simulated time against the in-process MongoDB server, three times:
 * <ol>
 *   <li><b>old design</b>: on connect, disconnect and every heartbeat (per session, every
 *       interval) it writes {@code users.last_online} and the copy of it in every
 *       {@code threads} document the user belongs to (two commands: an update and an
 *       updateMany); every {@code GET /threads} reads the members' {@code last_online} from
 *       {@code users} to derive {@code is_online};</li>
 *   <li><b>library</b>: {@link PresenceRegistry} (heartbeat on the same interval, clients answer
 *       every ping), a {@link WriteBehindLastSeenStore} over {@link MongoLastSeenStore}, and
 *       {@link ThreadEnricher} filling {@code is_online} from memory;</li>
 *   <li><b>library + last_online</b>: the same, the enricher also filling {@code last_online} of
 *       offline members from the store (one batched read per request that has any).</li>
 * </ol>
 * Loading the threads of a {@code GET} is one {@code find} on {@code threads} in every design and
 * is shown apart. Everything runs on one thread with simulated time, so each command is
 * attributed exactly to the operation (or scheduled task) that sent it.
 *
 * <p>The parts: {@link DatabaseLoadScript} (what the clients do), {@link DatabaseLoadResult}
 * (the counts of one run), {@link DatabaseLoadReport} (the markdown tables); this class runs the
 * designs and attributes each command to the operation that sent it.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.presence.benchmarks.DatabaseLoadReproduction} (defaults: 100 users, 10 minutes, heartbeat
 * 60 s, 3 reconnects and 10 {@code GET}s per user, 30 % of users with a second tab, seed 42).
 */
public final class DatabaseLoadReproduction {
  static final Instant EPOCH = Instant.parse("2026-01-01T09:00:00Z");

  /** What the simulated clients do. */
  record Settings(int users, int minutes, Duration heartbeat, int reconnectsPerUser,
      int getsPerUser, double secondTabShare, long seed) {
    static Settings defaults() {
      return new Settings(100, 10, Duration.ofSeconds(60), 3, 10, 0.3, 42);
    }

    long endMillis() {
      return minutes * 60_000L;
    }
  }

  /** The designs compared. */
  enum Design {
    OLD("old design"),
    LIBRARY("library"),
    LIBRARY_LAST_ONLINE("library + last_online");

    final String title;

    Design(String title) {
      this.title = title;
    }
  }

  private DatabaseLoadReproduction() {}

  /**
   * Runs the three designs and prints the tables (markdown).
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    Settings settings = Settings.defaults();
    Map<Design, DatabaseLoadResult> results = new EnumMap<>(Design.class);
    for (Design d : Design.values()) {
      results.put(d, run(d, settings));
    }
    System.out.print(DatabaseLoadReport.report(settings, results));
  }

  // ------------------------------------------------------------------ one run

  /** Runs one design over the scripted workload and returns its counts. */
  static DatabaseLoadResult run(Design design, Settings s) {
    CommandCounter counter = new CommandCounter();
    String[] userIds = Ids.users(s.users());
    List<Event> script = DatabaseLoadScript.script(s, userIds);
    DatabaseLoadResult result = new DatabaseLoadResult(design, s.minutes());
    try (EmbeddedMongo mongo = new EmbeddedMongo(counter)) {
      MongoCollection<Document> users = mongo.db.getCollection("users");
      MongoCollection<Document> threads = mongo.db.getCollection("threads");
      seed(users, threads, userIds);
      counter.reset();

      FakeTime time = new FakeTime(EPOCH);
      Meter meter = new Meter(counter, result, time);

      Library lib = design == Design.OLD ? null : new Library(design, s, time, users, meter);
      Map<String, Integer> openTabs = new HashMap<>();
      long[] oldDocuments = {0};
      for (Event e : script) {
        advanceTo(time, Duration.ofMillis(e.atMillis()));
        switch (e.kind()) {
          case OPEN -> {
            openTabs.merge(e.user(), 1, Integer::sum);
            meter.count(Op.CONNECT);
            meter.measure(Op.CONNECT, lib != null
                ? () -> lib.connect(e.user(), e.session())
                : () -> oldDocuments[0] += oldTouch(users, threads, e.user(), time.now(), true));
          }
          case CLOSE -> {
            int left = openTabs.merge(e.user(), -1, Integer::sum);
            meter.count(Op.DISCONNECT);
            if (left == 0) {
              result.finalDisconnects[meter.minute()]++;
            }
            meter.measure(Op.DISCONNECT, lib != null
                ? () -> lib.disconnect(e.session())
                : () -> oldDocuments[0] += oldTouch(users, threads, e.user(), time.now(), false));
          }
          case HEARTBEAT -> {
            if (lib == null) { // the library's heartbeat is its own sweep, counted as it runs
              meter.count(Op.HEARTBEAT);
              meter.measure(Op.HEARTBEAT,
                  () -> oldDocuments[0] += oldTouch(users, threads, e.user(), time.now(), true));
            }
          }
          case GET -> {
            meter.count(Op.GET);
            meter.measure(Op.GET, () -> {
              List<Document> list = threads.find(Filters.eq("users.id", e.user())).into(new ArrayList<>());
              if (lib != null) {
                lib.enricher.enrichMaps(list);
              } else {
                EnrichmentBenchmark.oldDesign(users, list, time.now());
              }
            });
          }
          default -> throw new AssertionError(e);
        }
      }
      // Let what was queued within the window land (the write-behind flushes after 100 ms; the
      // script's last close is a second before the end). The window is [0, end).
      advanceTo(time, Duration.ofMillis(s.endMillis() - 1));
      result.otherCommands = counter.total() - meter.attributed;
      if (lib != null) {
        result.evictions = lib.evictions;
        result.documentsWritten = lib.lastSeen.writtenCount();
        result.shutdownUsers = lib.registry.onlineUserCount();
        long before = counter.total();
        lib.close();
        result.shutdownCommands = counter.total() - before;
      } else {
        result.documentsWritten = oldDocuments[0];
      }
    }
    return result;
  }

  /** Moves simulated time to {@code sinceEpoch}, running (and metering) every task due on the way. */
  private static void advanceTo(FakeTime time, Duration sinceEpoch) {
    time.advance(sinceEpoch.minusNanos(time.read()));
  }

  private static void seed(MongoCollection<Document> users, MongoCollection<Document> threads,
      String[] userIds) {
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < userIds.length; i++) {
      docs.add(new Document("id", userIds[i]).append("username", "user" + i).append("name", "User " + i));
    }
    users.insertMany(docs);
    threads.insertMany(EnrichmentBenchmark.threads(userIds, new SplittableRandom(11)));
  }

  /**
   * The old design's write: the user's document and every thread that embeds the user. Returns
   * the number of documents changed.
   */
  static long oldTouch(MongoCollection<Document> users, MongoCollection<Document> threads,
      String user, Instant now, boolean online) {
    Date at = Date.from(now);
    long changed = users.updateOne(Filters.eq("id", user),
        Updates.combine(Updates.set("last_online", at), Updates.set("is_online", online))).getModifiedCount();
    return changed + threads.updateMany(Filters.eq("users.id", user),
        Updates.set("users.$.last_online", at)).getModifiedCount();
  }

  /** Attributes the commands sent while running something to an operation and minute. */
  static final class Meter {
    private final CommandCounter counter;
    private final DatabaseLoadResult result;
    private final FakeTime time;
    long attributed;

    Meter(CommandCounter counter, DatabaseLoadResult result, FakeTime time) {
      this.counter = counter;
      this.result = result;
      this.time = time;
    }

    int minute() {
      return (int) Math.min(result.minutes - 1, TimeUnit.NANOSECONDS.toMinutes(time.read()));
    }

    void count(Op op) {
      result.countEvent(op, minute());
    }

    void measure(Op op, Runnable work) {
      long w = writes();
      long ur = counter.reads("users");
      long tr = counter.reads("threads");
      work.run();
      int m = minute();
      long dw = writes() - w;
      long dur = counter.reads("users") - ur;
      long dtr = counter.reads("threads") - tr;
      result.addCommands(op, m, dw, dur, dtr);
      attributed += dw + dur + dtr;
    }

    /**
     * The simulated time's scheduler, with every task it runs metered as {@code op}: the
     * library's own work (a heartbeat sweep, a last-seen flush) counts where it belongs.
     */
    Scheduler metered(Op op) {
      return (task, delay) -> time.schedule(() -> measure(op, task), delay);
    }

    private long writes() {
      return counter.writes("users") + counter.writes("threads");
    }
  }

  /** The library wired as a host would wire it, on simulated time. */
  static final class Library implements AutoCloseable {
    final PresenceRegistry registry;
    final WriteBehindLastSeenStore lastSeen;
    final ThreadEnricher enricher;
    final Map<String, PresenceSession> sessions = new HashMap<>();
    final Meter meter;
    long evictions;

    Library(Design design, Settings s, FakeTime time, MongoCollection<Document> users, Meter meter) {
      this.meter = meter;
      lastSeen = WriteBehindLastSeenStore.builder(MongoLastSeenStore.builder(users).build())
          .scheduler(meter.metered(Op.DISCONNECT)) // the flush of the last-seen writes
          .build();
      registry = PresenceRegistry.builder()
          .heartbeatInterval(s.heartbeat())
          .ticker(time)
          .clock(time.clock())
          .scheduler(meter.metered(Op.HEARTBEAT))
          .lastSeenStore(lastSeen)
          .build();
      ThreadEnricher.Builder b = ThreadEnricher.builder(registry);
      if (design == Design.LIBRARY_LAST_ONLINE) {
        b.lastSeenStore(lastSeen); // sees queued writes too
      }
      enricher = b.build();
    }

    void connect(String user, String session) {
      ClientOutbound out = new ClientOutbound();
      PresenceSession ps = registry.connect(user, session, out);
      out.session = ps;
      sessions.put(session, ps);
    }

    void disconnect(String session) {
      sessions.remove(session).close();
    }

    @Override
    public void close() {
      registry.close();
      lastSeen.close();
    }

    /** A client that answers every ping at once: what a live browser tab does. */
    final class ClientOutbound implements Outbound {
      PresenceSession session;

      @Override
      public void ping() {
        meter.count(Op.HEARTBEAT);
        session.touch();
      }

      @Override
      public void send(String text) {}

      @Override
      public void close(DisconnectReason reason) {
        if (reason == DisconnectReason.HEARTBEAT_TIMEOUT || reason == DisconnectReason.PING_FAILED) {
          evictions++;
        }
      }
    }
  }
}
