package dev.presence.benchmarks;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import dev.presence.PresenceRegistry;
import dev.presence.ThreadEnricher;
import dev.presence.mongo.MongoLastSeenStore;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The presence part of one {@code GET /threads}: 50 thread documents of 10 members each (drawn
 * from 100 users, half of them online), already loaded, get {@code users[*].is_online} (and,
 * where stated, {@code last_online}). Loading the threads is the same in every variant and is
 * not measured.
 * <ul>
 *   <li>{@code presence}: {@link ThreadEnricher} without a last-seen store: {@code is_online}
 *       from memory, no I/O.</li>
 *   <li>{@code presence_lastseen}: the same plus {@code last_online} of the offline members from
 *       {@link MongoLastSeenStore}: one {@code $in} read per request, only because some member
 *       is offline.</li>
 *   <li>{@code mongo_read}: the old approach: one {@code users.find({id: {$in: members}})} per
 *       request, {@code is_online} derived from a {@code last_online} that heartbeats keep
 *       fresh.</li>
 * </ul>
 * The database is the in-process {@code mongo-java-server} over loopback: this <b>understates</b>
 * the old approach, which in production also pays a network round trip (typically 0.2-1 ms in
 * one data centre) and a real server's work.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar EnrichmentBenchmark -f 1 -wi 2 -i 3
 * -w 1s -r 1s -rf json -rff benchmarks/results/enrichment.json}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class EnrichmentBenchmark {
  static final int USERS = 100;
  static final int THREADS = 50;
  static final int MEMBERS = 10;
  /** The old design called a user online if their last heartbeat write was this recent. */
  static final Duration ONLINE_WINDOW = Duration.ofSeconds(90);
  private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_INSTANT;

  @Param({"presence", "presence_lastseen", "mongo_read"})
  public String impl;

  private EmbeddedMongo mongo;
  private PresenceRegistry registry;
  private ThreadEnricher enricher;
  private MongoCollection<Document> users;
  private List<Document> threads;
  /** The old design's "now", fixed so that its online members stay online however long we run. */
  private Instant requestTime;

  @Setup(Level.Trial)
  public void setUp() {
    mongo = new EmbeddedMongo();
    users = mongo.db.getCollection("users");
    registry = PresenceRegistry.builder().withoutHeartbeat().build();
    String[] ids = Ids.users(USERS);
    Instant now = Instant.now();
    requestTime = now;
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      boolean online = i % 2 == 0;
      if (online) {
        registry.connect(ids[i], Ids.session(ids[i], 1), NoOpOutbound.INSTANCE);
      }
      Instant last = online ? now.minusSeconds(20) : now.minus(Duration.ofHours(3 + i));
      docs.add(new Document("id", ids[i]).append("username", "user" + i).append("name", "User " + i)
          .append("last_online", Date.from(last)));
    }
    users.insertMany(docs);
    threads = threads(ids, new SplittableRandom(11));
    ThreadEnricher.Builder b = ThreadEnricher.builder(registry);
    if (impl.equals("presence_lastseen")) {
      b.lastSeenStore(MongoLastSeenStore.builder(users).build());
    }
    enricher = b.build();
    enrich(); // fail here, not in the measurement, if a variant is broken
    int online = 0;
    for (Document t : threads) {
      for (Document u : t.getList("users", Document.class)) {
        if (u.getBoolean("is_online") != registry.isOnline(u.getString("id"))) {
          throw new IllegalStateException(impl + " computed a wrong is_online for " + u);
        }
        online += u.getBoolean("is_online") ? 1 : 0;
      }
    }
    if (online == 0 || online == THREADS * MEMBERS) {
      throw new IllegalStateException("expected a mix of online and offline members");
    }
  }

  static List<Document> threads(String[] ids, SplittableRandom r) {
    List<Document> out = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      Set<String> members = new LinkedHashSet<>();
      while (members.size() < MEMBERS) {
        members.add(ids[r.nextInt(ids.length)]);
      }
      List<Document> us = new ArrayList<>();
      for (String id : members) {
        us.add(new Document("id", id).append("username", "u-" + id.substring(18))
            .append("name", "User " + id.substring(18)).append("joined_at", "2026-01-01T00:00:00Z"));
      }
      out.add(new Document("_id", "thread-" + t).append("title", "Thread " + t).append("users", us));
    }
    return out;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    registry.close();
    mongo.close();
  }

  @Benchmark
  public List<Document> enrich() {
    if (impl.equals("mongo_read")) {
      return oldDesign(users, threads, requestTime);
    }
    return enricher.enrichMaps(threads);
  }

  /** The old {@code GET /threads}: one read of the members' last_online, status derived from it. */
  static List<Document> oldDesign(MongoCollection<Document> users, List<Document> threads, Instant now) {
    Set<String> ids = new LinkedHashSet<>();
    for (Document t : threads) {
      for (Document u : t.getList("users", Document.class)) {
        ids.add(u.getString("id"));
      }
    }
    Map<String, Date> last = new HashMap<>();
    for (Document d : users.find(Filters.in("id", ids)).projection(
        Projections.fields(Projections.include("id", "last_online"), Projections.excludeId()))) {
      last.put(d.getString("id"), d.getDate("last_online"));
    }
    Instant cutoff = now.minus(ONLINE_WINDOW);
    for (Document t : threads) {
      for (Document u : t.getList("users", Document.class)) {
        Date at = last.get(u.getString("id"));
        u.put("is_online", at != null && at.toInstant().isAfter(cutoff));
        if (at == null) {
          u.remove("last_online");
        } else {
          u.put("last_online", ISO.format(at.toInstant().truncatedTo(ChronoUnit.MILLIS)));
        }
      }
    }
    return threads;
  }
}
