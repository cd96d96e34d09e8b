package dev.presence.mongo;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import dev.presence.LastSeenStore;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link LastSeenStore} that keeps each user's last-seen time in a field of the host's
 * {@code users} collection, and nowhere else (never in {@code threads}).
 *
 * <p>Design. Concurrency: the store holds only immutable settings and the driver's thread-safe
 * {@link MongoCollection}, so any number of threads may use it. Timing: every call is blocking
 * I/O on the calling thread; the registry therefore never calls it directly but through a
 * {@link dev.presence.WriteBehindLastSeenStore}, which coalesces offline users and hands them
 * over in batches from its own thread. One batch is one unordered {@code bulkWrite} of
 * {@code updateOne({id: u}, {$max: {last_online: t}})}, i.e. one {@code update} command however
 * many users it carries; one read is one {@code find} with {@code $in}. Failure: errors a retry
 * can fix propagate unchanged, and the write-behind retries the whole batch, which is safe
 * because {@code $max} is monotonic and idempotent: a late, repeated or reordered write can never
 * move a time backwards. A single user's document that the server rejects for good is logged,
 * counted and skipped instead: one poisoned entry must not hold back every later batch.
 *
 * <p>Times are stored as BSON dates, which hold milliseconds: finer digits are truncated on
 * write. {@link #forget} erases the field ({@code $unset}) for the GDPR path. By default only existing user documents are updated ({@code upsert} off), so a
 * disconnect can never create a user the host does not know.
 *
 * <p>Thread-safe (immutable settings, atomic counter).
 */
public final class MongoLastSeenStore implements LastSeenStore {
  private static final Logger LOG = LoggerFactory.getLogger(MongoLastSeenStore.class);
  /**
   * Per-statement error codes that a later attempt can get past: a duplicate key (a racing upsert
   * inserted the user first; the retry finds the document and updates it), a write conflict,
   * stale routing, and the transient server states of a failover or shutdown. Every other
   * per-statement error is taken as the server's final word on that document.
   */
  private static final Set<Integer> RETRYABLE_WRITE_ERRORS = Set.of(
      11000, // DuplicateKey
      112, // WriteConflict
      13388, // StaleConfig
      6, 7, 89, 9001, // HostUnreachable, HostNotFound, NetworkTimeout, SocketException
      50, 262, // MaxTimeMSExpired, ExceededTimeLimit
      91, 189, 10107, 13435, 11600, 11602); // shutdown, step-down, not primary, interrupted

  /** The most users erased by one {@code update} command. */
  static final int FORGET_BATCH = 1000;

  private final MongoCollection<Document> users;
  private final String idField;
  private final String field;
  private final boolean upsert;
  private final Bson projection;
  private final UpdateOptions updateOptions;
  private final BulkWriteOptions bulkOptions = new BulkWriteOptions().ordered(false);
  private final AtomicLong rejected = new AtomicLong();

  private MongoLastSeenStore(MongoCollection<Document> users, Builder b) {
    this.users = users;
    this.idField = b.idField;
    this.field = b.field;
    this.upsert = b.upsert;
    this.updateOptions = new UpdateOptions().upsert(b.upsert);
    this.projection = "_id".equals(idField)
        ? Projections.include(idField, field)
        : Projections.fields(Projections.include(idField, field), Projections.excludeId());
  }

  /**
   * Returns a builder writing into {@code collection}. Its codec registry, write concern, read
   * preference and read concern are kept as the host configured them.
   *
   * @param collection the users collection, of any document class
   * @return a new builder
   * @throws NullPointerException if {@code collection} is null
   */
  public static Builder builder(MongoCollection<?> collection) {
    return new Builder(Objects.requireNonNull(collection, "collection"), null);
  }

  /**
   * Returns a builder writing into a collection of {@code database}, {@code "users"} unless
   * {@link Builder#collectionName} says otherwise.
   *
   * @param database the host's database
   * @return a new builder
   * @throws NullPointerException if {@code database} is null
   */
  public static Builder builder(MongoDatabase database) {
    return new Builder(null, Objects.requireNonNull(database, "database"));
  }

  /**
   * Writes the times of all given users in one unordered bulk write; each user's field becomes
   * the later of its stored value and the given time ({@code $max}). Sends nothing for an empty
   * map.
   *
   * @param lastSeen user id → time the user went offline (truncated to milliseconds)
   * @throws NullPointerException if the map, a user id or a time is null
   * @throws IllegalArgumentException if a user id is blank, or a time is out of the BSON date
   *     range
   * @throws com.mongodb.MongoException if the write failed, wholly or in part, in a way a retry can
   *     fix (the server unreachable, a write concern error, a duplicate key from racing upserts,
   *     a failover).
   *     A user whose document the server rejects for good (a schema validator, a field path
   *     blocked by a non-document value) is not thrown for: the others are written, and that
   *     user is counted in {@link #rejectedCount()} and logged (the 1st, 2nd, 4th, 8th...
   *     rejection), since retrying could not fix it and would hold every later batch back
   */
  @Override
  public void recordAll(Map<String, Instant> lastSeen) {
    Objects.requireNonNull(lastSeen, "lastSeen");
    if (lastSeen.isEmpty()) {
      return;
    }
    List<String> userIds = new ArrayList<>(lastSeen.size());
    List<WriteModel<Document>> writes = new ArrayList<>(lastSeen.size());
    // One update document per distinct time, shared by its statements (when a node stops, every
    // user went offline at the same millisecond: one document for the whole batch). Filter and
    // update are BSON already, so the driver encodes them without a codec lookup per statement.
    Map<Instant, BsonDocument> updates = new HashMap<>();
    for (Map.Entry<String, Instant> e : lastSeen.entrySet()) {
      String userId = checkUserId(e.getKey());
      Instant at = Objects.requireNonNull(e.getValue(), () -> "time of user '" + userId + "'");
      userIds.add(userId);
      BsonDocument update = updates.computeIfAbsent(at, t -> new BsonDocument("$max",
          new BsonDocument(field, new BsonDateTime(t.toEpochMilli()))));
      writes.add(new UpdateOneModel<>(new BsonDocument(idField, new BsonString(userId)), update,
          updateOptions));
    }
    try {
      users.bulkWrite(writes, bulkOptions);
    } catch (MongoBulkWriteException e) {
      // Unordered: every statement without an error was applied. Retry only what a retry can fix.
      if (e.getWriteConcernError() != null
          || e.getWriteErrors().stream().anyMatch(w -> RETRYABLE_WRITE_ERRORS.contains(w.getCode()))) {
        throw e;
      }
      for (BulkWriteError w : e.getWriteErrors()) {
        long n = rejected.incrementAndGet();
        if (Long.bitCount(n) != 1) { // 1st, 2nd, 4th, 8th ...: visible, never a log flood
          continue;
        }
        LOG.warn("MongoDB rejected the last-seen time of user '{}' in {} (code {}: {}); not retried"
            + " ({} rejected so far)", userIds.get(w.getIndex()), namespace(), w.getCode(),
            w.getMessage(), n);
      }
    }
  }

  /**
   * Returns how many user times the server rejected for good and were therefore skipped (see
   * {@link #recordAll}).
   *
   * @return the total since creation
   */
  public long rejectedCount() {
    return rejected.get();
  }

  /**
   * Reads the times of many users with one {@code find} ({@code $in}, projected to the id and
   * time fields). Sends nothing for an empty collection. A stored ISO-8601 string (left by an
   * older schema) is read as that instant; values of other types are treated as absent.
   *
   * @param userIds the users; null elements are ignored, duplicates are read once
   * @return user id → last seen, only for users that have one; a new mutable map owned by the
   *     caller
   * @throws NullPointerException if {@code userIds} is null
   * @throws com.mongodb.MongoException if the read failed
   */
  @Override
  public Map<String, Instant> readAll(Collection<String> userIds) {
    Objects.requireNonNull(userIds, "userIds");
    Set<String> ids = new LinkedHashSet<>();
    for (String id : userIds) {
      if (id != null) {
        ids.add(id);
      }
    }
    Map<String, Instant> out = new HashMap<>();
    if (ids.isEmpty()) {
      return out;
    }
    try (MongoCursor<Document> cursor =
        users.find(Filters.in(idField, ids)).projection(projection).iterator()) {
      while (cursor.hasNext()) {
        Document doc = cursor.next();
        Object id = valueAt(doc, idField);
        Instant at = toInstant(valueAt(doc, field));
        if (id instanceof String userId && at != null) {
          out.merge(userId, at, (a, b) -> a.isAfter(b) ? a : b);
        }
      }
    }
    return out;
  }

  /**
   * Erases the times of the given users: {@code updateMany({id: {$in: [...]}}, {$unset:
   * {last_online: ""}})}, one command per {@value #FORGET_BATCH} users (so that no command nears
   * the 16 MB BSON limit). The user documents themselves are left; only the field goes. Sends
   * nothing for an empty collection. Idempotent.
   *
   * @param userIds the users; null elements are ignored, duplicates are sent once
   * @throws NullPointerException if {@code userIds} is null
   * @throws com.mongodb.MongoException if a command failed; users of earlier commands are erased
   *     already, and repeating the call is safe
   */
  @Override
  public void forget(Collection<String> userIds) {
    Objects.requireNonNull(userIds, "userIds");
    Set<String> ids = new LinkedHashSet<>();
    for (String id : userIds) {
      if (id != null) {
        ids.add(id);
      }
    }
    List<String> chunk = new ArrayList<>(Math.min(ids.size(), FORGET_BATCH));
    for (String id : ids) {
      chunk.add(id);
      if (chunk.size() == FORGET_BATCH) {
        unset(chunk);
        chunk.clear();
      }
    }
    if (!chunk.isEmpty()) {
      unset(chunk);
    }
  }

  private void unset(List<String> ids) {
    users.updateMany(Filters.in(idField, ids), Updates.unset(field));
  }

  /** Follows a dotted path through embedded documents; null where it leads nowhere. */
  private static @Nullable Object valueAt(Document doc, String path) {
    @Nullable Object value = doc;
    int from = 0;
    while (value instanceof Document) {
      int dot = path.indexOf('.', from);
      String key = dot < 0 ? path.substring(from) : path.substring(from, dot);
      value = ((Document) value).get(key);
      if (dot < 0) {
        return value;
      }
      from = dot + 1;
    }
    return null;
  }

  private static @Nullable Instant toInstant(@Nullable Object value) {
    if (value instanceof Date date) {
      return date.toInstant();
    }
    if (value instanceof String text) {
      try {
        return Instant.parse(text);
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    return null;
  }

  private static String checkUserId(String userId) {
    Objects.requireNonNull(userId, "userId");
    if (userId.isBlank()) {
      throw new IllegalArgumentException("userId must not be blank: '" + userId + "'");
    }
    return userId;
  }

  /**
   * Returns the collection written to.
   *
   * @return the namespace as {@code database.collection}
   */
  public String namespace() {
    return users.getNamespace().getFullName();
  }

  @Override
  public String toString() {
    return "MongoLastSeenStore(" + namespace() + ", " + idField + " -> " + field
        + (upsert ? ", upsert" : "") + ")";
  }

  /**
   * Builds a {@link MongoLastSeenStore}. Setters validate their value at once; conflicting
   * settings are reported by {@link #build()}. Not thread-safe.
   */
  public static final class Builder {
    private final @Nullable MongoCollection<?> collection;
    private final @Nullable MongoDatabase database;
    private @Nullable String collectionName;
    private String idField = "id";
    private String field = "last_online";
    private boolean upsert;

    private Builder(@Nullable MongoCollection<?> collection, @Nullable MongoDatabase database) {
      this.collection = collection;
      this.database = database;
    }

    /**
     * Sets the name of the users collection, for a builder made from a database. Default
     * {@code "users"}.
     *
     * @param name a collection name: not blank, no {@code '$'}, no NUL
     * @return this builder
     * @throws IllegalArgumentException if the name is blank or not a valid collection name
     */
    public Builder collectionName(String name) {
      this.collectionName = Names.collection("collectionName", name);
      return this;
    }

    /**
     * Sets the field holding the user id that the registry knows the user by. Default
     * {@code "id"} (the host's existing schema); {@code "_id"} works when ids are strings.
     * The host should index it (see docs/mongo.md).
     *
     * @param idField a field name or dotted path
     * @return this builder
     * @throws IllegalArgumentException if blank or not a valid field path
     */
    public Builder idField(String idField) {
      this.idField = Names.fieldPath("idField", idField);
      return this;
    }

    /**
     * Sets the field the last-seen time is written to. Default {@code "last_online"}.
     *
     * @param field a field name or dotted path
     * @return this builder
     * @throws IllegalArgumentException if blank or not a valid field path
     */
    public Builder field(String field) {
      this.field = Names.fieldPath("field", field);
      return this;
    }

    /**
     * Sets whether a write for a user with no document creates one (holding only the id and
     * the time). Default {@code false}: users the host does not know are left alone.
     *
     * @param upsert true to create missing user documents
     * @return this builder
     */
    public Builder upsert(boolean upsert) {
      this.upsert = upsert;
      return this;
    }

    /**
     * Builds the store. Sends nothing to the server.
     *
     * @return a new store
     * @throws IllegalStateException if {@code collectionName} was set on a builder made from a
     *     collection, or if {@code idField} and {@code field} are the same or one contains the
     *     other
     */
    public MongoLastSeenStore build() {
      if (collection != null && collectionName != null) {
        throw new IllegalStateException("collectionName ('" + collectionName
            + "') is set but the builder was given a collection ('"
            + collection.getNamespace().getCollectionName() + "')");
      }
      if (idField.equals(field) || field.startsWith(idField + ".") || idField.startsWith(field + ".")) {
        throw new IllegalStateException("idField ('" + idField + "') and field ('" + field
            + "') must be distinct, unrelated paths");
      }
      MongoCollection<Document> users = collection != null
          ? collection.withDocumentClass(Document.class)
          : database.getCollection(collectionName != null ? collectionName : "users");
      return new MongoLastSeenStore(users, this);
    }
  }
}
