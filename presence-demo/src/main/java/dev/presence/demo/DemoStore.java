package dev.presence.demo;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import dev.presence.ThreadMembership;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's data in MongoDB, in the shape a chat application keeps it: {@code users}
 * ({@code id, username, name, created_at}, plus {@code last_online} written by the last-seen
 * store) and {@code threads} ({@code id, name, created_by, created_at, users[{id, username, name,
 * joined_at}], invitations[{user_id, invited_by, invited_at}]}). Presence is never stored here:
 * {@code is_online} is added to the JSON on the way out, from memory.
 *
 * <p>Thread-safe: only the driver's thread-safe collections are held. Every method is blocking
 * I/O and runs on an HTTP request thread, never on a WebSocket or heartbeat thread.
 */
final class DemoStore {
  private static final Logger LOG = LoggerFactory.getLogger(DemoStore.class);
  private static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private final MongoCollection<Document> users;
  private final MongoCollection<Document> threads;

  DemoStore(MongoDatabase db) {
    this.users = db.getCollection("users");
    this.threads = db.getCollection("threads");
  }

  /** Returns whether {@code id} is a valid user id: 1 to 64 letters, digits, '_', '-', '.'. */
  static boolean isValidUserId(String id) {
    return id != null && USER_ID.matcher(id).matches();
  }

  /** Creates the indexes; {@code multikey} is false for the embedded server, which lacks them. */
  void createIndexes(boolean multikey) {
    users.createIndex(Indexes.ascending("id"), new IndexOptions().unique(true));
    threads.createIndex(Indexes.ascending("id"), new IndexOptions().unique(true));
    if (multikey) {
      threads.createIndex(Indexes.ascending("users.id"));
      threads.createIndex(Indexes.ascending("invitations.user_id"));
    }
  }

  /**
   * Loads every thread's members into the index: one query at start, none per transition. A
   * member entry without a string id (data written by something else) is skipped, counted and
   * logged once, so that one bad document cannot keep the server from starting.
   */
  int loadMembership(ThreadMembership membership) {
    int n = 0;
    int skipped = 0;
    for (Document t : threads.find().projection(Projections.include("id", "users.id"))) {
      Object threadId = t.get("id");
      for (Document u : usersOf(t)) {
        if (threadId instanceof String tid && !tid.isBlank()
            && u.get("id") instanceof String uid && !uid.isBlank()) {
          membership.join(tid, uid);
        } else {
          skipped++;
        }
      }
      n++;
    }
    if (skipped > 0) {
      LOG.warn("Skipped {} thread member entries without a string id or thread id", skipped);
    }
    return n;
  }

  /** Creates the user if new (demo login): one upsert. */
  @SuppressWarnings("JavaUtilDate") // the MongoDB driver stores BSON dates as java.util.Date
  void ensureUser(String id) {
    users.updateOne(Filters.eq("id", id),
        Updates.combine(Updates.setOnInsert("username", id), Updates.setOnInsert("name", id),
            Updates.setOnInsert("created_at", new Date())),
        new UpdateOptions().upsert(true));
  }

  /** Returns the thread-member entries of the given users, with the names they registered. */
  List<Document> memberEntries(Collection<String> ids, Date joinedAt) {
    Map<String, Document> known = new HashMap<>();
    for (Document u : users.find(Filters.in("id", ids))
        .projection(Projections.fields(Projections.include("id", "username", "name"),
            Projections.excludeId()))) {
      known.put(u.getString("id"), u);
    }
    List<Document> out = new ArrayList<>();
    for (String id : ids) {
      Document u = known.get(id);
      out.add(new Document("id", id)
          .append("username", u != null && u.getString("username") != null ? u.getString("username") : id)
          .append("name", u != null && u.getString("name") != null ? u.getString("name") : id)
          .append("joined_at", joinedAt));
    }
    return out;
  }

  Document createThread(String name, String creator, List<Document> members, Date now) {
    Document t = new Document("id", new ObjectId().toHexString())
        .append("name", name)
        .append("created_by", creator)
        .append("created_at", now)
        .append("users", members)
        .append("invitations", new ArrayList<Document>());
    threads.insertOne(t);
    t.remove("_id");
    return t;
  }

  List<Document> threadsOf(String userId) {
    return threads.find(Filters.eq("users.id", userId))
        .projection(Projections.excludeId())
        .sort(Sorts.ascending("created_at"))
        .into(new ArrayList<>());
  }

  /** Returns the thread, or null if there is none with this id. */
  Document thread(String id) {
    return threads.find(Filters.eq("id", id)).projection(Projections.excludeId()).first();
  }

  List<Document> invitationsFor(String userId) {
    return threads.find(Filters.eq("invitations.user_id", userId))
        .projection(Projections.fields(Projections.include("id", "name"),
            Projections.elemMatch("invitations", Filters.eq("user_id", userId)),
            Projections.excludeId()))
        .sort(Sorts.ascending("created_at"))
        .into(new ArrayList<>());
  }

  /**
   * Adds a pending invitation in one conditional update (one {@code findAndModify}, whatever the
   * thread's size): only if {@code inviter} is a member, {@code invitee} is not, and no invitation
   * of {@code invitee} is pending. Atomic on the thread document, so an invitation racing an
   * acceptance can never re-invite a user who has just joined.
   *
   * @return the thread's name if the invitation was added, else null (see {@link #hasMember} and
   *     {@link #exists} for why)
   */
  String invite(String threadId, String inviter, String invitee, Date now) {
    Document t = threads.findOneAndUpdate(
        Filters.and(Filters.eq("id", threadId), Filters.eq("users.id", inviter),
            Filters.ne("users.id", invitee), Filters.ne("invitations.user_id", invitee)),
        Updates.push("invitations", new Document("user_id", invitee)
            .append("invited_by", inviter).append("invited_at", now)),
        new FindOneAndUpdateOptions()
            .projection(Projections.fields(Projections.include("name"), Projections.excludeId())));
    return t == null ? null : t.getString("name");
  }

  /**
   * Turns the pending invitation of {@code member} into membership in one conditional update (one
   * {@code findAndModify}, whatever the thread's size): the invitation is pulled and the member
   * pushed only if the invitation is pending and the user is not a member yet, so of two racing
   * acceptances exactly one succeeds.
   *
   * @return the thread before the update, projected to its {@code name} and the accepted
   *     invitation ({@code invitations: [{user_id, invited_by, invited_at}]}), or null if nothing
   *     was changed
   */
  Document accept(String threadId, Document member) {
    String userId = member.getString("id");
    return threads.findOneAndUpdate(
        Filters.and(Filters.eq("id", threadId), Filters.eq("invitations.user_id", userId),
            Filters.ne("users.id", userId)),
        Updates.combine(Updates.pull("invitations", new Document("user_id", userId)),
            Updates.push("users", member)),
        new FindOneAndUpdateOptions()
            .projection(Projections.fields(Projections.include("name"),
                Projections.elemMatch("invitations", Filters.eq("user_id", userId)),
                Projections.excludeId()))
            .returnDocument(ReturnDocument.BEFORE));
  }

  /** Returns whether the thread exists and has {@code userId} as a member: one bounded read. */
  boolean hasMember(String threadId, String userId) {
    return exists(Filters.and(Filters.eq("id", threadId), Filters.eq("users.id", userId)));
  }

  /** Returns whether a thread matches: one read returning at most its {@code id}. */
  boolean exists(Bson filter) {
    return threads.find(filter).projection(Projections.fields(Projections.include("id"),
        Projections.excludeId())).limit(1).first() != null;
  }

  /** The thread's member entries that are documents (anything else stored there is ignored). */
  static List<Document> usersOf(Document thread) {
    return documents(thread.get("users"));
  }

  /** The thread's pending invitations that are documents. */
  static List<Document> invitationsOf(Document thread) {
    return documents(thread.get("invitations"));
  }

  private static List<Document> documents(Object value) {
    List<Document> out = new ArrayList<>();
    if (value instanceof List) {
      for (Object o : (List<?>) value) {
        if (o instanceof Document d) {
          out.add(d);
        }
      }
    }
    return out;
  }

  static boolean isMember(Document thread, String userId) {
    return usersOf(thread).stream().anyMatch(u -> userId.equals(u.getString("id")));
  }
}
