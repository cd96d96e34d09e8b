package dev.presence.benchmarks;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateManyModel;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import dev.presence.WriteBehindLastSeenStore;
import dev.presence.mongo.CommandCounter;
import dev.presence.mongo.MongoLastSeenStore;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bson.Document;

/**
 * The last-seen flush of a stopping node, alone: {@code users} users who all went offline at the
 * same instant, written through {@link MongoLastSeenStore} to mongo-java-server (in this JVM,
 * loopback, a unique index on {@code users.id}, every user's document present), the way
 * {@code registry.close()} hands them over: queued in a {@link WriteBehindLastSeenStore} with its
 * default batch size, then {@code close()}. Prints per round the time from queueing to the end of
 * the close, the {@code update} commands the server received, and the load average. The first rounds warm the
 * JIT; each round uses a later time than the one before, so every {@code $max} changes the
 * document. Then the same writes called directly on the main thread, in batches of 500, with the
 * CPU time of that thread: the library's and the driver's share of the flush (building, encoding,
 * decoding), apart from the server's. With a third argument {@code grouped}, last the shape not
 * taken: the same users as {@code updateMany} with {@code $in} per 1,000 in one command.
 *
 * <p>Run: {@code java -Xmx2g -cp benchmarks/target/benchmarks.jar
 * dev.presence.benchmarks.ShutdownLastSeenFlush 10000 8 [grouped]}
 */
public final class ShutdownLastSeenFlush {
  private ShutdownLastSeenFlush() {}

  /**
   * Measures and prints one line per round.
   *
   * @param args optional: the number of users (default 10 000), the number of rounds (default 8)
   */
  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    String[] users = Ids.users(n);
    CommandCounter counter = new CommandCounter();
    try (EmbeddedMongo mongo = new EmbeddedMongo(counter)) {
      MongoCollection<Document> coll = mongo.db.getCollection("users");
      List<Document> docs = new ArrayList<>(n);
      for (String u : users) {
        docs.add(new Document("id", u).append("name", "User " + u));
      }
      coll.insertMany(docs);
      MongoLastSeenStore store = MongoLastSeenStore.builder(mongo.db).build();
      System.out.printf(Locale.ROOT, "JDK %s, %s, %d users, documents present, unique index on id%n",
          System.getProperty("java.version"), ManagementFactory.getRuntimeMXBean().getInputArguments(), n);
      Instant base = Instant.parse("2026-11-29T18:00:00Z");
      for (int r = 0; r < rounds; r++) {
        Instant at = base.plusSeconds(r);
        Map<String, Instant> all = new HashMap<>();
        for (String u : users) {
          all.put(u, at);
        }
        WriteBehindLastSeenStore wb = WriteBehindLastSeenStore.builder(store).build();
        counter.reset();
        double loadBefore = load();
        long t0 = System.nanoTime();
        wb.recordAll(all);
        wb.close();
        long nanos = System.nanoTime() - t0;
        long updates = counter.count("update", "users");
        long stale = coll.countDocuments(Filters.lt("last_online", Date.from(at)));
        System.out.printf(Locale.ROOT,
            "round %d: write-behind close %.1f ms, %d update commands (%d written, %d not at the new"
                + " time), load %.2f -> %.2f%n",
            r, nanos / 1e6, updates, wb.writtenCount(), stale, loadBefore, load());
      }
      // The library's and the driver's own share: the same writes called directly, in batches of
      // 500, on this thread, whose CPU time counts building and encoding the commands and reading
      // the replies but not the server's work (on its own threads) or the wait for it.
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      for (int r = 0; r < rounds; r++) {
        Instant at = base.plusSeconds(rounds + r);
        double loadBefore = load();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        Map<String, Instant> batch = new HashMap<>();
        for (String u : users) {
          batch.put(u, at);
          if (batch.size() == 500) {
            store.recordAll(batch);
            batch.clear();
          }
        }
        store.recordAll(batch);
        long nanos = System.nanoTime() - t0;
        long cpu = threads.getCurrentThreadCpuTime() - cpu0;
        System.out.printf(Locale.ROOT,
            "round %d: direct %.1f ms, of which %.1f ms CPU on the calling thread, load %.2f -> %.2f%n",
            r, nanos / 1e6, cpu / 1e6, loadBefore, load());
      }
      if (args.length > 2 && args[2].equals("grouped")) {
        grouped(coll, users, base.plusSeconds(3L * rounds), rounds);
      }
    }
  }

  /**
   * The alternative shape for a batch whose users share one time: {@code updateMany({id: {$in:
   * chunk}}, {$max: ...})} per 1,000 users, all in one unordered bulk write (one command),
   * against the store's shape (one {@code updateOne} per user, batches of 500).
   */
  private static void grouped(MongoCollection<Document> coll, String[] users, Instant from, int rounds) {
    List<String> ids = List.of(users);
    for (int r = 0; r < rounds; r++) {
      Date at = Date.from(from.plusSeconds(r));
      double loadBefore = load();
      long t0 = System.nanoTime();
      List<WriteModel<Document>> writes = new ArrayList<>();
      for (int i = 0; i < ids.size(); i += 1000) {
        writes.add(new UpdateManyModel<>(Filters.in("id", ids.subList(i, Math.min(ids.size(), i + 1000))),
            Updates.max("last_online", at)));
      }
      coll.bulkWrite(writes, new BulkWriteOptions().ordered(false));
      long grouped = System.nanoTime() - t0;
      long stale = coll.countDocuments(Filters.lt("last_online", at));
      System.out.printf(Locale.ROOT, "round %d: grouped (updateMany $in 1,000 x %d in one command) %.1f ms,"
          + " %d not at the new time, load %.2f -> %.2f%n", r, writes.size(), grouped / 1e6, stale,
          loadBefore, load());
    }
  }

  static double load() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
