package dev.presence.demo;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Updates;
import dev.presence.Availability;
import dev.presence.ConnectOptions;
import dev.presence.StatusText;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each user's saved presence settings: the availability they chose (e.g. "appear offline"), their
 * status text with its expiry, and whether they hide their last seen. Stored in the user's
 * document in {@code users} ({@code availability}, {@code status_text}, {@code status_expires_at},
 * {@code hide_last_seen}; absent means the default) and held in memory, so that the registry's
 * policy ({@link #hidesLastSeen}) and the WebSocket handshake ({@link #connectOptions}) answer
 * without a database call: the library calls both on threads that must not block.
 *
 * <p>Loaded with one query at start (only users who changed a default are kept: memory grows
 * with them, not with all users); {@link #update} writes through, one {@code updateOne} per
 * change.
 *
 * <p>Thread-safe: reads are {@link ConcurrentHashMap} lookups; updates of one user are
 * serialized by a lock striped by user id, held across the database write so that memory,
 * database and registry see one user's changes in the same order.
 */
final class PresenceSettings {
  private static final Logger LOG = LoggerFactory.getLogger(PresenceSettings.class);
  private static final int STRIPES = 64;

  /**
   * One user's settings. Immutable.
   *
   * @param availability what the user chose
   * @param statusText their text, or null
   * @param hideLastSeen whether they hide their last seen (and so see no one's)
   */
  record Settings(Availability availability, StatusText statusText, boolean hideLastSeen) {
    static final Settings DEFAULT = new Settings(Availability.AVAILABLE, null, false);

    Settings {
      java.util.Objects.requireNonNull(availability, "availability");
    }

    Settings withAvailability(Availability a) {
      return new Settings(a, statusText, hideLastSeen);
    }

    Settings withStatusText(StatusText t) {
      return new Settings(availability, t, hideLastSeen);
    }

    Settings withHideLastSeen(boolean hide) {
      return new Settings(availability, statusText, hide);
    }
  }

  private final MongoCollection<Document> users;
  private final Clock clock;
  private final Map<String, Settings> byUser = new ConcurrentHashMap<>();
  private final Object[] stripes = new Object[STRIPES];

  PresenceSettings(MongoDatabase db, Clock clock) {
    this.users = db.getCollection("users");
    this.clock = clock;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Object();
    }
  }

  /**
   * Loads the settings of every user who changed a default: one query. A stored value the demo
   * cannot read (written by something else) is left at its default, counted and logged once.
   *
   * @return how many users have settings
   */
  int load() {
    int skipped = 0;
    Bson changed = Filters.or(Filters.exists("availability"), Filters.exists("status_text"),
        Filters.eq("hide_last_seen", true));
    for (Document u : users.find(changed).projection(Projections.include("id", "availability",
        "status_text", "status_expires_at", "hide_last_seen"))) {
      if (!(u.get("id") instanceof String id)) {
        skipped++;
        continue;
      }
      Availability availability = Availability.AVAILABLE;
      StatusText text = null;
      try {
        if (u.get("availability") instanceof String a) {
          availability = Availability.parse(a);
        }
        if (u.get("status_text") instanceof String t) {
          Date expires = u.get("status_expires_at") instanceof Date d ? d : null;
          text = StatusText.of(t, expires == null ? null : expires.toInstant());
        }
      } catch (IllegalArgumentException e) {
        skipped++;
      }
      Settings s = new Settings(availability, text, Boolean.TRUE.equals(u.get("hide_last_seen")));
      if (!s.equals(Settings.DEFAULT)) {
        byUser.put(id, s);
      }
    }
    if (skipped > 0) {
      LOG.warn("Ignored {} stored presence settings the demo cannot read", skipped);
    }
    return byUser.size();
  }

  /**
   * Returns a user's settings, a status text that has expired left out.
   *
   * @param userId the user
   * @return the settings; the defaults for a user who changed nothing
   */
  Settings of(String userId) {
    Settings s = byUser.getOrDefault(userId, Settings.DEFAULT);
    if (s.statusText() != null && s.statusText().isExpiredAt(clock.instant())) {
      return s.withStatusText(null);
    }
    return s;
  }

  /**
   * Whether the user hides their last seen: the predicate of the registry's
   * {@code PresencePolicy.hideLastSeen}, one map lookup.
   *
   * @param userId the user
   * @return true if they chose to hide it
   */
  boolean hidesLastSeen(String userId) {
    Settings s = byUser.get(userId);
    return s != null && s.hideLastSeen();
  }

  /**
   * The options a new WebSocket session of the user connects with: their saved availability and
   * text, so that a user who chose to appear offline is never seen online, not even for a moment.
   *
   * @param userId the user
   * @return the options (no metadata)
   */
  ConnectOptions connectOptions(String userId) {
    Settings s = of(userId);
    return ConnectOptions.defaults().withAvailability(s.availability()).withStatusText(s.statusText());
  }

  /**
   * Changes a user's settings: writes the fields that changed to the user's document (one
   * {@code updateOne}), then memory, then runs {@code then} with the new settings, all under the
   * user's lock. If the write fails, nothing changes.
   *
   * @param userId the user
   * @param change computes the new settings from the current ones
   * @param then runs after the change is stored (e.g. applies it to the registry); must not block
   * @return the new settings
   */
  Settings update(String userId, UnaryOperator<Settings> change, java.util.function.Consumer<Settings> then) {
    synchronized (stripe(userId)) {
      Settings before = of(userId);
      Settings after = change.apply(before);
      List<Bson> updates = new ArrayList<>();
      if (after.availability() != before.availability()) {
        updates.add(after.availability() == Availability.AVAILABLE ? Updates.unset("availability")
            : Updates.set("availability", after.availability().wireName()));
      }
      if (!java.util.Objects.equals(after.statusText(), before.statusText())) {
        StatusText t = after.statusText();
        updates.add(t == null ? Updates.unset("status_text") : Updates.set("status_text", t.text()));
        updates.add(t == null || t.expiresAt() == null ? Updates.unset("status_expires_at")
            : Updates.set("status_expires_at", Date.from(t.expiresAt())));
      }
      if (after.hideLastSeen() != before.hideLastSeen()) {
        updates.add(after.hideLastSeen() ? Updates.set("hide_last_seen", true) : Updates.unset("hide_last_seen"));
      }
      if (!updates.isEmpty()) {
        users.updateOne(Filters.eq("id", userId), Updates.combine(updates));
      }
      if (after.equals(Settings.DEFAULT)) {
        byUser.remove(userId);
      } else {
        byUser.put(userId, after);
      }
      then.accept(after);
      return after;
    }
  }

  private Object stripe(String userId) {
    int h = userId.hashCode();
    return stripes[(h ^ (h >>> 16)) & (STRIPES - 1)];
  }
}
