package dev.presence;

import dev.presence.internal.InMemoryLastSeenStore;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;

/**
 * Where "last seen" times live: written once when a user goes offline, read in bulk when thread
 * JSON is enriched. Implemented over a database by adapter modules (e.g. presence-mongo).
 *
 * <p>Implementations must be thread-safe, and writes must be <b>monotonic</b>: recording a time
 * older than the stored one leaves the stored one (MongoDB's {@code $max}), so that late or
 * reordered writes never move a user's last seen backwards. Implementations may block (they
 * talk to a database); the registry never calls a possibly blocking store on a connection
 * thread, it goes through a {@link WriteBehindLastSeenStore}.
 */
public interface LastSeenStore {

  /**
   * Records offline times for many users in one operation.
   *
   * @param lastSeen user id → the time the user went offline; never null, may be empty
   * @throws RuntimeException if the write failed; nothing is assumed written then, and the
   *     write-behind retries the whole batch (monotonic writes make the retry safe)
   */
  void recordAll(Map<String, Instant> lastSeen);

  /**
   * Reads last-seen times for many users in one operation.
   *
   * @param userIds the users; never null
   * @return user id → last seen, only for users that have one; a new map owned by the caller
   * @throws RuntimeException if the read failed
   */
  Map<String, Instant> readAll(Collection<String> userIds);

  /**
   * Erases the last-seen times of the given users: the erasure (GDPR "right to be forgotten")
   * path. When it returns, no read returns a time for them, and no write accepted before the
   * call can bring one back. A time recorded <em>after</em> the call (the user came back and
   * left again) is new data and is kept.
   *
   * <p>Every store of this library implements it (in-memory, write-behind, MongoDB). The
   * default, for stores written before it existed, throws {@link UnsupportedOperationException}
   * so that an erasure is never silently skipped.
   *
   * @param userIds the users; never null; null elements are ignored
   * @throws UnsupportedOperationException if this store cannot erase
   * @throws RuntimeException if the erasure failed; it is safe to repeat
   */
  default void forget(Collection<String> userIds) {
    throw new UnsupportedOperationException(getClass().getName()
        + " does not implement LastSeenStore.forget, the erasure path");
  }

  /**
   * Returns a store kept in a {@link java.util.concurrent.ConcurrentHashMap}: non-blocking,
   * monotonic, lost on restart. For tests, demos and single-node hosts that need no persistence.
   *
   * @return a new, empty in-memory store (thread-safe)
   */
  static LastSeenStore inMemory() {
    return new InMemoryLastSeenStore();
  }
}
