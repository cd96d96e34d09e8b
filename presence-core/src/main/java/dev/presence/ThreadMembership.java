package dev.presence;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * An in-memory index of thread membership, both ways (thread → members, user → threads), that
 * serves as the {@link Audience} of status fan-out: a user's audience is everyone who shares a
 * thread with them. The host keeps it current when threads are created, joined and left (and
 * loads it at start-up), so a transition never costs a database query.
 *
 * <p>Thread-safe: reads are lock-free; updates of the two indexes are serialized so that each
 * reader sees a membership either before or after an update, per thread.
 */
public final class ThreadMembership implements Audience {
  private final ConcurrentHashMap<String, Set<String>> membersByThread = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Set<String>> threadsByUser = new ConcurrentHashMap<>();
  /** The online-members indexes of batched fan-outs over this membership, kept current here. */
  private final List<OnlineMembers> onlineIndexes = new CopyOnWriteArrayList<>();

  /** Creates an empty index. */
  public ThreadMembership() {}

  /**
   * Adds a user to a thread (creating the thread in the index if new). Idempotent.
   *
   * @param threadId the thread; non-blank
   * @param userId the user; non-blank
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if an argument is blank
   */
  public synchronized void join(String threadId, String userId) {
    requireId("threadId", threadId);
    requireId("userId", userId);
    membersByThread.computeIfAbsent(threadId, k -> ConcurrentHashMap.newKeySet()).add(userId);
    threadsByUser.computeIfAbsent(userId, k -> ConcurrentHashMap.newKeySet()).add(threadId);
    for (OnlineMembers index : onlineIndexes) {
      index.joined(threadId, userId);
    }
  }

  /**
   * Adds every user to a thread.
   *
   * @param threadId the thread; non-blank
   * @param userIds the users; each non-blank
   * @throws NullPointerException if an argument or element is null
   * @throws IllegalArgumentException if an id is blank; no user is added then
   */
  public synchronized void joinAll(String threadId, Collection<String> userIds) {
    requireId("threadId", threadId);
    Objects.requireNonNull(userIds, "userIds");
    for (String u : userIds) {
      requireId("userIds element", u);
    }
    for (String u : userIds) {
      join(threadId, u);
    }
  }

  /**
   * Removes a user from a thread. Does nothing if they were not a member.
   *
   * @param threadId the thread
   * @param userId the user
   */
  public synchronized void leave(String threadId, String userId) {
    Set<String> members = membersByThread.get(threadId);
    if (members != null && members.remove(userId) && members.isEmpty()) {
      membersByThread.remove(threadId);
    }
    Set<String> threads = threadsByUser.get(userId);
    if (threads != null && threads.remove(threadId) && threads.isEmpty()) {
      threadsByUser.remove(userId);
    }
    for (OnlineMembers index : onlineIndexes) {
      index.left(threadId, userId);
    }
  }

  /**
   * Removes a thread and all its memberships. Does nothing if unknown.
   *
   * @param threadId the thread
   */
  public synchronized void removeThread(String threadId) {
    Set<String> members = membersByThread.remove(threadId);
    if (members != null) {
      for (String u : members) {
        Set<String> threads = threadsByUser.get(u);
        if (threads != null && threads.remove(threadId) && threads.isEmpty()) {
          threadsByUser.remove(u);
        }
      }
    }
    for (OnlineMembers index : onlineIndexes) {
      index.threadRemoved(threadId);
    }
  }

  /**
   * Returns the members of a thread.
   *
   * @param threadId the thread
   * @return a new set (a snapshot); empty if unknown
   */
  public Set<String> membersOf(String threadId) {
    Set<String> members = threadId == null ? null : membersByThread.get(threadId);
    return members == null ? new HashSet<>() : new HashSet<>(members);
  }

  /**
   * Returns the threads a user belongs to.
   *
   * @param userId the user
   * @return a new set (a snapshot); empty if unknown
   */
  public Set<String> threadsOf(String userId) {
    Set<String> threads = userId == null ? null : threadsByUser.get(userId);
    return threads == null ? new HashSet<>() : new HashSet<>(threads);
  }

  /**
   * Returns everyone who shares at least one thread with {@code userId}, without the user.
   *
   * @param userId the user
   * @return a new set (a snapshot)
   */
  @Override
  public Set<String> audienceOf(String userId) {
    Set<String> out = new HashSet<>();
    Set<String> threads = userId == null ? null : threadsByUser.get(userId);
    if (threads != null) {
      for (String t : threads) {
        Set<String> members = membersByThread.get(t);
        if (members != null) {
          out.addAll(members);
        }
      }
      out.remove(userId);
    }
    return out;
  }

  /**
   * Returns the number of threads in the index.
   *
   * @return the count at the moment of the call
   */
  public int threadCount() {
    return membersByThread.size();
  }

  /**
   * The live set of threads of a user, or null: for the fan-out, which must not copy it.
   * Iterating it while it changes is safe (weakly consistent).
   */
  @Nullable Set<String> threadsView(String userId) {
    return threadsByUser.get(userId);
  }

  /** The live set of members of a thread, or null; weakly consistent like {@link #threadsView}. */
  @Nullable Set<String> membersView(String threadId) {
    return membersByThread.get(threadId);
  }

  /**
   * A new index of the connected members of each thread, kept current by this membership's
   * updates from now on, for a batched fan-out; {@link #removeOnlineIndex} when it closes.
   */
  synchronized OnlineMembers newOnlineIndex() {
    OnlineMembers index = new OnlineMembers(this);
    onlineIndexes.add(index);
    return index;
  }

  /** Stops keeping {@code index} current. */
  void removeOnlineIndex(OnlineMembers index) {
    onlineIndexes.remove(index);
  }

  private static void requireId(String name, String value) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank: '" + value + "'");
    }
  }

  @Override
  public String toString() {
    return "ThreadMembership(" + membersByThread.size() + " threads, " + threadsByUser.size() + " users)";
  }

}
