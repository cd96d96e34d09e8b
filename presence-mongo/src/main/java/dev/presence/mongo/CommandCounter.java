package dev.presence.mongo;

import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * A driver {@link CommandListener} that counts the commands a {@code MongoClient} sends, per
 * command name and collection, so that database load can be shown with numbers rather than
 * claimed. Register it with {@code MongoClientSettings.builder().addCommandListener(counter)}.
 *
 * <p>A command is counted when the driver <em>sends</em> it (on {@code commandStarted}), whether
 * it then succeeds or fails; a command the driver never sends (no server reachable) is not
 * counted. The collection is the one the command names ({@code {"update": "users", ...}});
 * commands that name no collection ({@code ping}, {@code endSessions}, {@code hello}, ...) are
 * counted under the empty collection name {@code ""}. The driver's own server monitoring is not
 * reported to command listeners and so is never counted. Collections are keyed by name only:
 * use one counter per client, or distinct collection names, to tell databases apart.
 *
 * <p>Thread-safe: the driver calls it from any thread, readers may read at any time; counts are
 * exact once the commands they count have been sent.
 */
public final class CommandCounter implements CommandListener {

  /** Commands that read documents. */
  private static final Set<String> READS =
      Set.of("find", "getMore", "aggregate", "count", "distinct");

  /** Commands that write documents ({@code bulkWrite} is the MongoDB 8 client-level bulk). */
  private static final Set<String> WRITES =
      Set.of("insert", "update", "delete", "findAndModify", "bulkWrite");

  private final ConcurrentHashMap<String, ConcurrentHashMap<String, LongAdder>> counts =
      new ConcurrentHashMap<>();
  private final LongAdder failed = new LongAdder();

  /** Creates a counter with every count at zero. */
  public CommandCounter() {}

  /**
   * Counts the command. Called by the driver.
   *
   * @param event the command about to be sent
   */
  @Override
  public void commandStarted(CommandStartedEvent event) {
    String name = event.getCommandName();
    BsonDocument command = event.getCommand();
    if ("bulkWrite".equals(name) && command.isArray("nsInfo")) {
      // A client-level bulk write may touch several collections: count it once for each.
      for (BsonValue ns : command.getArray("nsInfo", new BsonArray())) {
        if (ns.isDocument() && ns.asDocument().isString("ns")) {
          String full = ns.asDocument().getString("ns").getValue();
          increment(name, full.substring(full.indexOf('.') + 1));
        }
      }
      return;
    }
    increment(name, collectionOf(name, command));
  }

  /**
   * Counts a failed command (see {@link #failedCount()}). Called by the driver.
   *
   * @param event the failure
   */
  @Override
  public void commandFailed(CommandFailedEvent event) {
    failed.increment();
  }

  private static String collectionOf(String name, BsonDocument command) {
    if ("getMore".equals(name)) {
      return command.isString("collection") ? command.getString("collection").getValue() : "";
    }
    BsonValue first = command.isEmpty() ? null : command.get(command.getFirstKey());
    return first != null && first.isString() ? first.asString().getValue() : "";
  }

  private void increment(String name, String collection) {
    counts.computeIfAbsent(collection, c -> new ConcurrentHashMap<>())
        .computeIfAbsent(name, n -> new LongAdder())
        .increment();
  }

  /**
   * Returns how many commands of one kind were sent to one collection.
   *
   * @param commandName the command name as the server knows it, e.g. {@code "update"},
   *     {@code "find"}
   * @param collection the collection name; {@code ""} for commands that name none
   * @return the count so far
   * @throws NullPointerException if an argument is null
   */
  public long count(String commandName, String collection) {
    Objects.requireNonNull(commandName, "commandName");
    Objects.requireNonNull(collection, "collection");
    Map<String, LongAdder> byName = counts.get(collection);
    LongAdder n = byName == null ? null : byName.get(commandName);
    return n == null ? 0 : n.sum();
  }

  /**
   * Returns how many commands of any kind were sent to one collection.
   *
   * @param collection the collection name; {@code ""} for commands that name none
   * @return the count so far
   * @throws NullPointerException if {@code collection} is null
   */
  public long total(String collection) {
    Objects.requireNonNull(collection, "collection");
    Map<String, LongAdder> byName = counts.get(collection);
    return byName == null ? 0 : byName.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /**
   * Returns how many reading commands ({@code find}, {@code getMore}, {@code aggregate},
   * {@code count}, {@code distinct}) were sent to one collection.
   *
   * @param collection the collection name
   * @return the count so far
   * @throws NullPointerException if {@code collection} is null
   */
  public long reads(String collection) {
    return sum(collection, READS);
  }

  /**
   * Returns how many writing commands ({@code insert}, {@code update}, {@code delete},
   * {@code findAndModify}, {@code bulkWrite}) were sent to one collection. One unordered bulk
   * write of many updates is one {@code update} command.
   *
   * @param collection the collection name
   * @return the count so far
   * @throws NullPointerException if {@code collection} is null
   */
  public long writes(String collection) {
    return sum(collection, WRITES);
  }

  private long sum(String collection, Set<String> names) {
    Objects.requireNonNull(collection, "collection");
    Map<String, LongAdder> byName = counts.get(collection);
    if (byName == null) {
      return 0;
    }
    long total = 0;
    for (Map.Entry<String, LongAdder> e : byName.entrySet()) {
      if (names.contains(e.getKey())) {
        total += e.getValue().sum();
      }
    }
    return total;
  }

  /**
   * Returns how many commands were sent, all collections and kinds together.
   *
   * @return the count so far
   */
  public long total() {
    long total = 0;
    for (Map<String, LongAdder> byName : counts.values()) {
      for (LongAdder n : byName.values()) {
        total += n.sum();
      }
    }
    return total;
  }

  /**
   * Returns how many sent commands failed (server error, lost connection, timeout).
   *
   * @return the count so far
   */
  public long failedCount() {
    return failed.sum();
  }

  /**
   * Returns every count: collection → command name → count, both levels sorted by name.
   *
   * @return a new immutable map (a snapshot); not updated afterwards
   */
  public Map<String, Map<String, Long>> snapshot() {
    Map<String, Map<String, Long>> out = new TreeMap<>();
    counts.forEach((collection, byName) -> {
      Map<String, Long> inner = new TreeMap<>();
      byName.forEach((name, n) -> inner.put(name, n.sum()));
      out.put(collection, Collections.unmodifiableMap(inner));
    });
    return Collections.unmodifiableMap(out);
  }

  /**
   * Sets every count back to zero. Commands in flight on other threads may be counted before or
   * after the reset.
   */
  public void reset() {
    counts.clear();
    failed.reset();
  }

  @Override
  public String toString() {
    return "CommandCounter" + snapshot();
  }
}
