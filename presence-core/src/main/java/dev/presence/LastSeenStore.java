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
 * talk to a database); the registry never calls a store that says it blocks ({@link
 * #blocksCaller()}) on a connection thread, it puts it behind a {@link WriteBehindLastSeenStore}
 * with a thread of its own.
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
   * Returns whether {@link #recordAll} may block its caller (on I/O, a lock held across I/O, a
   * full queue). The registry records offline times on connection and heartbeat threads, so it
   * wraps a store that blocks in a {@link WriteBehindLastSeenStore} with a writer thread of its
   * own, and calls a store that does not block directly. The default, {@code true}, is the safe
   * answer; override it with {@code false} only if {@code recordAll} returns without waiting
   * (an in-memory map, an asynchronous client that only enqueues).
   *
   * @return true if {@code recordAll} may block; the in-memory and write-behind stores of this
   *     library return false
   */
  default boolean blocksCaller() {
    return true;
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
