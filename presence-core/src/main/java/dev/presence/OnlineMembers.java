package dev.presence;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Per thread of a {@link ThreadMembership}, its members that are connected as one batched
 * {@link PresenceFanout} knows: what its flush walks instead of every member of a thread with
 * changes, so that a thread of M members of whom k are connected costs O(k), not O(M).
 *
 * <p>Kept current incrementally: the fan-out {@link #add adds} a user when they come online or a
 * session of theirs asks for its state, and {@link #removeIf removes} them when they go offline
 * with no session left (an invisible user stays: they still hear diffs) or when a flush finds
 * them without a session; the membership index tells it of joins, leaves and removed threads
 * ({@link #joined}, {@link #left}, {@link #threadRemoved}). Every update runs under the
 * membership's monitor (the lock its own updates already take), so that a join racing with a
 * user coming online can never leave the user out of the thread's set.
 *
 * <p>Thread-safe. {@link #of} returns a live, weakly consistent view, read without a lock.
 */
final class OnlineMembers {
  private final ThreadMembership threads;
  /** The connected users, whatever their threads. */
  private final Set<String> users = ConcurrentHashMap.newKeySet();
  /** Per thread, its connected members; no empty sets. */
  private final ConcurrentHashMap<String, Set<String>> byThread = new ConcurrentHashMap<>();

  OnlineMembers(ThreadMembership threads) {
    this.threads = threads;
  }

  /** Adds a connected user to the sets of all their threads. Idempotent. */
  void add(String userId) {
    synchronized (threads) {
      if (users.add(userId)) {
        Set<String> ts = threads.threadsView(userId);
        if (ts != null) {
          for (String t : ts) {
            byThread.computeIfAbsent(t, k -> ConcurrentHashMap.newKeySet()).add(userId);
          }
        }
      }
    }
  }

  /**
   * Removes a user from every set if {@code gone} holds, tested under the lock (so that a session
   * connecting meanwhile, which then adds the user, is never undone).
   */
  void removeIf(String userId, Predicate<String> gone) {
    synchronized (threads) {
      if (users.contains(userId) && gone.test(userId)) {
        users.remove(userId);
        Set<String> ts = threads.threadsView(userId);
        if (ts != null) {
          for (String t : ts) {
            left(t, userId);
          }
        }
      }
    }
  }

  /** The connected members of a thread: a live view (weakly consistent), empty if none. */
  Set<String> of(String threadId) {
    Set<String> s = byThread.get(threadId);
    return s == null ? Set.of() : s;
  }

  // Called by ThreadMembership, under its monitor.

  void joined(String threadId, String userId) {
    if (users.contains(userId)) {
      byThread.computeIfAbsent(threadId, k -> ConcurrentHashMap.newKeySet()).add(userId);
    }
  }

  void left(String threadId, String userId) {
    Set<String> s = byThread.get(threadId);
    if (s != null && s.remove(userId) && s.isEmpty()) {
      byThread.remove(threadId);
    }
  }

  void threadRemoved(String threadId) {
    byThread.remove(threadId);
  }

  @Override
  public String toString() {
    return "OnlineMembers(" + users.size() + " users, " + byThread.size() + " threads)";
  }
}
