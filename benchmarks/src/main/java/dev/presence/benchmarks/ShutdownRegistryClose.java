package dev.presence.benchmarks;

import com.mongodb.client.MongoCollection;
import dev.presence.LastSeenStore;
import dev.presence.PresenceFanout;
import dev.presence.PresenceRegistry;
import dev.presence.ThreadMembership;
import dev.presence.mongo.CommandCounter;
import dev.presence.mongo.MongoLastSeenStore;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import org.bson.Document;

/**
 * A stopping node's {@code registry.close()} with {@code users} users online (one session each,
 * connections that cost nothing to close: the transport is not measured), taken apart by adding
 * one part at a time, each in a fresh registry:
 *
 * <ol>
 *   <li>{@code bare}: no last-seen store, no listener: ending the sessions alone;
 *   <li>{@code memory}: plus the in-memory (non-blocking) last-seen store;
 *   <li>{@code listener}: plus one listener that counts events (the event thread's drain);
 *   <li>{@code fanout}: plus a batched fan-out (window 1 s; every user in 5 threads of 50), closed
 *       first as the demo does (its close is timed apart);
 *   <li>{@code mongo}: the demo's wiring without sockets: the fan-out closed first, then the
 *       registry with a {@link MongoLastSeenStore} on mongo-java-server (this JVM, loopback, a
 *       unique index on {@code users.id}, every user's document present) behind the registry's
 *       own write-behind; prints the {@code update} commands.
 * </ol>
 *
 * <p>Each variant runs {@code rounds} times (the first ones warm the JIT); each line carries the
 * load average.
 *
 * <p>Run: {@code java -Xmx2g -cp benchmarks/target/benchmarks.jar
 * dev.presence.benchmarks.ShutdownRegistryClose 10000 5}
 */
public final class ShutdownRegistryClose {
  private static final int THREAD_SIZE = 50;
  private static final int THREADS_PER_USER = 5;

  private ShutdownRegistryClose() {}

  /**
   * Measures and prints one line per variant and round.
   *
   * @param args optional: the number of users (default 10 000), rounds per variant (default 5)
   */
  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    String[] users = Ids.users(n);
    String[] sessions = Ids.sessions(users, 1);
    ThreadMembership membership = membership(users);
    System.out.printf(Locale.ROOT, "JDK %s, %s, %d users x 1 session%n",
        System.getProperty("java.version"), ManagementFactory.getRuntimeMXBean().getInputArguments(), n);
    for (String variant : new String[] {"bare", "memory", "listener", "fanout"}) {
      for (int r = 0; r < rounds; r++) {
        PresenceRegistry.Builder b = PresenceRegistry.builder().withoutHeartbeat();
        if (!variant.equals("bare")) {
          b.lastSeenStore(LastSeenStore.inMemory());
        }
        PresenceRegistry registry = b.build();
        LongAdder events = new LongAdder();
        if (variant.equals("listener")) {
          registry.addListener(e -> {
            if (!e.online()) { // the offline events of the close, not the online ones of the set-up
              events.increment();
            }
          });
        }
        PresenceFanout fanout = variant.equals("fanout")
            ? PresenceFanout.builder(registry, membership).batchWindow(Duration.ofSeconds(1)).build()
            : null;
        connectAll(registry, users, sessions);
        run(variant, r, registry, fanout, events, null, null);
      }
    }
    CommandCounter counter = new CommandCounter();
    try (EmbeddedMongo mongo = new EmbeddedMongo(counter)) {
      MongoCollection<Document> coll = mongo.db.getCollection("users");
      List<Document> docs = new ArrayList<>(n);
      for (String u : users) {
        docs.add(new Document("id", u));
      }
      coll.insertMany(docs);
      for (int r = 0; r < rounds; r++) {
        PresenceRegistry registry = PresenceRegistry.builder().withoutHeartbeat()
            .lastSeenStore(MongoLastSeenStore.builder(mongo.db).build()).build();
        PresenceFanout fanout =
            PresenceFanout.builder(registry, membership).batchWindow(Duration.ofSeconds(1)).build();
        connectAll(registry, users, sessions);
        counter.reset();
        run("mongo", r, registry, fanout, new LongAdder(), counter, coll);
      }
    }
  }

  private static void run(String variant, int round, PresenceRegistry registry, PresenceFanout fanout,
      LongAdder events, CommandCounter counter, MongoCollection<Document> coll) {
    double loadBefore = load();
    long t0 = System.nanoTime();
    if (fanout != null) {
      fanout.close();
    }
    long t1 = System.nanoTime();
    registry.close();
    long t2 = System.nanoTime();
    String extra = "";
    if (counter != null) {
      long missing = coll.countDocuments(new Document("last_online", new Document("$exists", false)));
      extra = String.format(Locale.ROOT, ", %d update commands, %d users without last_online",
          counter.count("update", "users"), missing);
      coll.updateMany(new Document(), new Document("$unset", new Document("last_online", "")));
    }
    System.out.printf(Locale.ROOT, "%-8s round %d: fan-out close %.1f ms, registry close %.1f ms,"
            + " %d offline events delivered%s, load %.2f -> %.2f%n",
        variant, round, (t1 - t0) / 1e6, (t2 - t1) / 1e6, events.sum(), extra, loadBefore, load());
  }

  private static void connectAll(PresenceRegistry registry, String[] users, String[] sessions) {
    for (int i = 0; i < users.length; i++) {
      registry.connect(users[i], sessions[i], NoOpOutbound.INSTANCE);
    }
  }

  /** Every user in {@value #THREADS_PER_USER} threads of {@value #THREAD_SIZE}. */
  private static ThreadMembership membership(String[] users) {
    ThreadMembership m = new ThreadMembership();
    int perRound = users.length / THREAD_SIZE;
    for (int k = 0; k < THREADS_PER_USER; k++) {
      for (int i = 0; i < users.length; i++) {
        // Round k groups users by a different stride, so co-members differ between rounds.
        int slot = (int) ((i * (long) (2 * k + 1)) % users.length);
        m.join("t" + k + "-" + (slot % Math.max(1, perRound)), users[i]);
      }
    }
    return m;
  }

  static double load() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
