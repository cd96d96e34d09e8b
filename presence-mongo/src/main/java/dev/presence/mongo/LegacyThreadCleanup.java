package dev.presence.mongo;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import com.mongodb.client.result.UpdateResult;
import java.util.Objects;
import org.bson.BsonDocument;
import org.bson.conversions.Bson;
import org.jspecify.annotations.Nullable;

/**
 * Removes the denormalised last-seen copies that the old design kept inside every thread
 * ({@code threads.users[].last_online}), for hosts migrating to this library: with presence in
 * memory and last seen only in {@code users}, those copies are stale the moment they are read.
 *
 * <p>{@link #dryRun()} counts the threads that would change; {@link #run()} changes them with one
 * {@code updateMany({"users.last_online": {$exists: true}, users: {$type: "array"}},
 * {$unset: {"users.$[].last_online": ""}})}. Running it again changes nothing (idempotent), so
 * it can be re-run after an interrupted migration. Only the named field of the array's elements
 * is removed; everything else in the threads, and the {@code users} collection, is left alone.
 * Threads whose users field is not an array are not matched (an all-elements update would fail
 * on them).
 *
 * <p>Thread-safe (immutable); concurrent runs are harmless but pointless.
 */
public final class LegacyThreadCleanup {

  private final MongoCollection<BsonDocument> threads;
  private final String usersField;
  private final String field;
  private final Bson filter;

  private LegacyThreadCleanup(MongoCollection<BsonDocument> threads, Builder b) {
    this.threads = threads;
    this.usersField = b.usersField;
    this.field = b.field;
    this.filter = Filters.and(
        Filters.exists(usersField + "." + field, true),
        Filters.type(usersField, "array"));
  }

  /**
   * Returns a builder cleaning {@code collection}.
   *
   * @param collection the threads collection, of any document class
   * @return a new builder
   * @throws NullPointerException if {@code collection} is null
   */
  public static Builder builder(MongoCollection<?> collection) {
    return new Builder(Objects.requireNonNull(collection, "collection"), null);
  }

  /**
   * Returns a builder cleaning a collection of {@code database}, {@code "threads"} unless
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
   * Counts the threads that {@link #run()} would change, changing nothing (one read: the
   * driver's {@code countDocuments} sends an {@code aggregate} command).
   *
   * @return how many threads hold at least one user entry with the field
   * @throws com.mongodb.MongoException if the count failed
   */
  public long dryRun() {
    return threads.countDocuments(filter);
  }

  /**
   * Removes the field from every user entry of every thread that has it (one {@code update}
   * command).
   *
   * @return how many threads were changed; 0 when run again; -1 if the collection's write
   *     concern is unacknowledged (the server then reports nothing)
   * @throws com.mongodb.MongoException if the update failed; what was already changed stays
   *     changed, and running again finishes the job
   */
  public long run() {
    UpdateResult result = threads.updateMany(filter, Updates.unset(usersField + ".$[]." + field));
    return result.wasAcknowledged() ? result.getModifiedCount() : -1;
  }

  @Override
  public String toString() {
    return "LegacyThreadCleanup(" + threads.getNamespace().getFullName() + ", " + usersField
        + ".$[]." + field + ")";
  }

  /**
   * Builds a {@link LegacyThreadCleanup}. Setters validate their value at once; conflicting
   * settings are reported by {@link #build()}. Not thread-safe.
   */
  public static final class Builder {
    private final @Nullable MongoCollection<?> collection;
    private final @Nullable MongoDatabase database;
    private @Nullable String collectionName;
    private String usersField = "users";
    private String field = "last_online";

    private Builder(@Nullable MongoCollection<?> collection, @Nullable MongoDatabase database) {
      this.collection = collection;
      this.database = database;
    }

    /**
     * Sets the name of the threads collection, for a builder made from a database. Default
     * {@code "threads"}.
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
     * Sets the array field of a thread that lists its users. Default {@code "users"}.
     *
     * @param usersField a field name or dotted path
     * @return this builder
     * @throws IllegalArgumentException if blank or not a valid field path
     */
    public Builder usersField(String usersField) {
      this.usersField = Names.fieldPath("usersField", usersField);
      return this;
    }

    /**
     * Sets the field to remove from each user entry. Default {@code "last_online"}.
     *
     * @param field a field name or dotted path, relative to the user entry
     * @return this builder
     * @throws IllegalArgumentException if blank or not a valid field path
     */
    public Builder field(String field) {
      this.field = Names.fieldPath("field", field);
      return this;
    }

    /**
     * Builds the cleanup. Sends nothing to the server.
     *
     * @return a new cleanup
     * @throws IllegalStateException if {@code collectionName} was set on a builder made from a
     *     collection
     */
    public LegacyThreadCleanup build() {
      if (collection != null && collectionName != null) {
        throw new IllegalStateException("collectionName ('" + collectionName
            + "') is set but the builder was given a collection ('"
            + collection.getNamespace().getCollectionName() + "')");
      }
      MongoCollection<BsonDocument> threads = collection != null
          ? collection.withDocumentClass(BsonDocument.class)
          : database.getCollection(collectionName != null ? collectionName : "threads",
              BsonDocument.class);
      return new LegacyThreadCleanup(threads, this);
    }
  }
}
