package dev.presence.benchmarks;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import dev.presence.DisconnectReason;
import dev.presence.Outbound;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import dev.presence.ThreadEnricher;
import dev.presence.WriteBehindLastSeenStore;
import dev.presence.mongo.CommandCounter;
import dev.presence.mongo.MongoLastSeenStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
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

  /** The operations of the table. */
  enum Op {
    CONNECT, DISCONNECT, HEARTBEAT, GET
  }

  enum Kind {
    OPEN, CLOSE, HEARTBEAT, GET
  }

  record Event(long atMillis, long seq, Kind kind, String user, String session) {}

  /** Per-minute counts of one run. Not thread-safe (the simulation is single-threaded). */
  static final class Result {
    final Design design;
    final int minutes;
    final long[][] events;
    final long[][] writes;
    final long[][] userReads;
    final long[] finalDisconnects;
    final long[] threadReads;
    long otherCommands;
    long evictions;
    /** Documents the writes changed (an updateMany over five threads changes five). */
    long documentsWritten;
    /** Commands sent by closing the library after the window (its users go offline then). */
    long shutdownCommands;
    long shutdownUsers;

    Result(Design design, int minutes) {
      this.design = design;
      this.minutes = minutes;
      int ops = Op.values().length;
      events = new long[minutes][ops];
      writes = new long[minutes][ops];
      userReads = new long[minutes][ops];
      finalDisconnects = new long[minutes];
      threadReads = new long[minutes];
    }

    long events(Op op) {
      long n = 0;
      for (long[] m : events) {
        n += m[op.ordinal()];
      }
      return n;
    }

    long writes(Op op) {
      long n = 0;
      for (long[] m : writes) {
        n += m[op.ordinal()];
      }
      return n;
    }

    long userReads(Op op) {
      long n = 0;
      for (long[] m : userReads) {
        n += m[op.ordinal()];
      }
      return n;
    }

    long finalDisconnects() {
      long n = 0;
      for (long f : finalDisconnects) {
        n += f;
      }
      return n;
    }

    long threadReads() {
      long n = 0;
      for (long f : threadReads) {
        n += f;
      }
      return n;
    }

    long totalWrites() {
      long n = 0;
      for (Op op : Op.values()) {
        n += writes(op);
      }
      return n;
    }

    long totalUserReads() {
      long n = 0;
      for (Op op : Op.values()) {
        n += userReads(op);
      }
      return n;
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
    Map<Design, Result> results = new EnumMap<>(Design.class);
    for (Design d : Design.values()) {
      results.put(d, run(d, settings));
    }
    System.out.print(report(settings, results));
  }

  // ------------------------------------------------------------------ the script

  /** The clients' behaviour, the same for every design. */
  static List<Event> script(Settings s, String[] users) {
    SplittableRandom r = new SplittableRandom(s.seed());
    long end = s.endMillis();
    long beat = s.heartbeat().toMillis();
    List<Event> out = new ArrayList<>();
    long[] seq = {0};
    for (String u : users) {
      long t0 = r.nextLong(60_000);
      // First tab: opens, drops and reconnects a few times (a new session each time).
      long[] drops = new long[s.reconnectsPerUser()];
      for (int k = 0; k < drops.length; k++) {
        drops[k] = t0 + 20_000 + r.nextLong(end - t0 - 40_000);
      }
      java.util.Arrays.sort(drops);
      int tab = 1;
      long open = t0;
      for (long drop : drops) {
        if (drop <= open + 5_000) {
          continue;
        }
        addSession(out, seq, u, Ids.session(u, tab++), open, drop, beat, end);
        open = drop + 2_000 + r.nextLong(18_000);
      }
      if (open < end) {
        addSession(out, seq, u, Ids.session(u, tab++), open, Long.MAX_VALUE, beat, end);
      }
      // Some users also open a second tab for a while.
      if (r.nextDouble() < s.secondTabShare()) {
        long a = t0 + 10_000 + r.nextLong(end - t0 - 70_000);
        long b = Math.min(a + 30_000 + r.nextLong(210_000), end - 1_000);
        addSession(out, seq, u, Ids.session(u, 100), a, b, beat, end);
      }
      for (int g = 0; g < s.getsPerUser(); g++) {
        out.add(new Event(t0 + r.nextLong(end - t0), seq[0]++, Kind.GET, u, null));
      }
    }
    out.sort((x, y) -> x.atMillis() != y.atMillis() ? Long.compare(x.atMillis(), y.atMillis())
        : Long.compare(x.seq(), y.seq()));
    return out;
  }

  private static void addSession(List<Event> out, long[] seq, String u, String session, long open,
      long close, long beat, long end) {
    out.add(new Event(open, seq[0]++, Kind.OPEN, u, session));
    for (long t = open + beat; t < Math.min(close, end); t += beat) {
      out.add(new Event(t, seq[0]++, Kind.HEARTBEAT, u, session));
    }
    if (close < end) {
      out.add(new Event(close, seq[0]++, Kind.CLOSE, u, session));
    }
  }

  // ------------------------------------------------------------------ one run

  /** Runs one design over the scripted workload and returns its counts. */
  static Result run(Design design, Settings s) {
    CommandCounter counter = new CommandCounter();
    String[] userIds = Ids.users(s.users());
    List<Event> script = script(s, userIds);
    Result result = new Result(design, s.minutes());
    try (EmbeddedMongo mongo = new EmbeddedMongo(counter)) {
      MongoCollection<Document> users = mongo.db.getCollection("users");
      MongoCollection<Document> threads = mongo.db.getCollection("threads");
      seed(users, threads, userIds);
      counter.reset();

      ManualTime time = new ManualTime(EPOCH);
      Meter meter = new Meter(counter, result, time);
      time.runTasksWith((label, task) -> meter.measure(
          label.equals("heartbeat") ? Op.HEARTBEAT : Op.DISCONNECT, task));

      Library lib = design == Design.OLD ? null : new Library(design, s, time, users, meter);
      Map<String, Integer> openTabs = new HashMap<>();
      long[] oldDocuments = {0};
      for (Event e : script) {
        time.advanceTo(Duration.ofMillis(e.atMillis()));
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
      time.advanceTo(Duration.ofMillis(s.endMillis() - 1));
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
    private final Result result;
    private final ManualTime time;
    long attributed;

    Meter(CommandCounter counter, Result result, ManualTime time) {
      this.counter = counter;
      this.result = result;
      this.time = time;
    }

    int minute() {
      return (int) Math.min(result.minutes - 1, time.elapsed().toMinutes());
    }

    void count(Op op) {
      result.events[minute()][op.ordinal()]++;
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
      result.writes[m][op.ordinal()] += dw;
      result.userReads[m][op.ordinal()] += dur;
      result.threadReads[m] += dtr;
      attributed += dw + dur + dtr;
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

    Library(Design design, Settings s, ManualTime time, MongoCollection<Document> users, Meter meter) {
      this.meter = meter;
      lastSeen = WriteBehindLastSeenStore.builder(MongoLastSeenStore.builder(users).build())
          .scheduler(time.scheduler("last-seen flush"))
          .build();
      registry = PresenceRegistry.builder()
          .heartbeatInterval(s.heartbeat())
          .ticker(time)
          .clock(time.clock())
          .scheduler(time.scheduler("heartbeat"))
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

  // ------------------------------------------------------------------ the report

  static String report(Settings s, Map<Design, Result> results) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "Workload: %d users, %d minutes, heartbeat every %d s, "
            + "%d reconnects and %d GET /threads per user, %.0f %% with a second tab, seed %d.%n%n",
        s.users(), s.minutes(), s.heartbeat().toSeconds(), s.reconnectsPerUser(), s.getsPerUser(),
        s.secondTabShare() * 100, s.seed()));
    for (Result r : results.values()) {
      out.append("### ").append(r.design.title).append(" — database commands per minute\n\n");
      out.append("| minute | connects | disconnects (last tab) | heartbeats | GETs | writes on connect "
          + "| writes on disconnect | writes on heartbeat | users reads on GET | threads finds (same in all) |\n");
      out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      for (int m = 0; m < r.minutes; m++) {
        long[] ev = r.events[m];
        out.append(String.format(Locale.ROOT, "| %d | %d | %d (%d) | %d | %d | %d | %d | %d | %d | %d |%n",
            m + 1, ev[0], ev[1], r.finalDisconnects[m], ev[2], ev[3],
            r.writes[m][Op.CONNECT.ordinal()], r.writes[m][Op.DISCONNECT.ordinal()],
            r.writes[m][Op.HEARTBEAT.ordinal()], r.userReads[m][Op.GET.ordinal()], r.threadReads[m]));
      }
      out.append(String.format(Locale.ROOT, "| **total** | %d | %d (%d) | %d | %d | %d | %d | %d | %d | %d |%n",
          r.events(Op.CONNECT), r.events(Op.DISCONNECT), r.finalDisconnects(), r.events(Op.HEARTBEAT),
          r.events(Op.GET), r.writes(Op.CONNECT), r.writes(Op.DISCONNECT), r.writes(Op.HEARTBEAT),
          r.userReads(Op.GET), r.threadReads()));
      out.append(String.format(Locale.ROOT, "%nHeartbeats: %s. Commands not attributed to an "
              + "operation: %d. Sessions evicted by the heartbeat: %d.",
          r.design == Design.OLD ? "one per open session per interval (the client's pong)"
              : "pings sent by the registry's sweep, each answered", r.otherCommands, r.evictions));
      if (r.design != Design.OLD) {
        out.append(String.format(Locale.ROOT, " After the window, closing the library took %d "
            + "users offline and wrote their last-seen times in %d command(s).", r.shutdownUsers,
            r.shutdownCommands));
      }
      out.append("\n\n");
    }
    out.append("### Per operation (measured)\n\n| operation |");
    for (Result r : results.values()) {
      out.append(' ').append(r.design.title).append(" |");
    }
    out.append("\n|---|");
    results.values().forEach(r -> out.append("---|"));
    out.append('\n');
    row(out, results, "WebSocket connect", r -> per(r.writes(Op.CONNECT), r.events(Op.CONNECT), "writes"));
    row(out, results, "WebSocket disconnect", r -> per(r.writes(Op.DISCONNECT), r.events(Op.DISCONNECT), "writes")
        + String.format(Locale.ROOT, " (%s per last-tab disconnect)",
            per(r.writes(Op.DISCONNECT), r.finalDisconnects(), "writes")));
    row(out, results, "heartbeat", r -> String.format(Locale.ROOT, "%d writes in %d min (%.1f / min)",
        r.writes(Op.HEARTBEAT), r.minutes, r.writes(Op.HEARTBEAT) / (double) r.minutes));
    row(out, results, "`GET /threads`", r -> per(r.userReads(Op.GET), r.events(Op.GET), "extra reads"));
    row(out, results, "all writes (commands)", r -> String.format(Locale.ROOT, "%d (%.1f / min)",
        r.totalWrites(), r.totalWrites() / (double) r.minutes));
    row(out, results, "documents changed by writes", r -> String.format(Locale.ROOT,
        "%d (%.1f / min)", r.documentsWritten, r.documentsWritten / (double) r.minutes));
    row(out, results, "all commands", r -> String.valueOf(
        r.totalWrites() + r.totalUserReads() + r.threadReads() + r.otherCommands));
    return out.toString();
  }

  private static void row(StringBuilder out, Map<Design, Result> results, String name,
      java.util.function.Function<Result, String> cell) {
    out.append("| ").append(name).append(" |");
    for (Result r : results.values()) {
      out.append(' ').append(cell.apply(r)).append(" |");
    }
    out.append('\n');
  }

  private static String per(long commands, long ops, String what) {
    return ops == 0 ? "n/a" : String.format(Locale.ROOT, "%.2f %s", commands / (double) ops, what);
  }
}
