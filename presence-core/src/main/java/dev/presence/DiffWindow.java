package dev.presence;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What happened during one batch window of a {@link PresenceFanout}: every user who had a
 * transition (with their state when the window opened and their latest state), and every
 * recipient that was sent a {@code presence_state} (with the sequence number of that state).
 * Memory is O(users who changed + states sent) per window, whatever the audiences' sizes.
 *
 * <p>Not thread-safe: guarded by the fan-out's lock while open, owned by the flushing thread
 * once swapped out.
 */
final class DiffWindow {
  /** Subjects that changed in this window, in the order of their first change. */
  final LinkedHashMap<String, Change> changes = new LinkedHashMap<>();
  /** Recipients sent a state in this window, and the sequence number the state was cut at. */
  final Map<String, Long> states = new HashMap<>();

  boolean isEmpty() {
    return changes.isEmpty() && states.isEmpty();
  }

  /** Records a transition of {@code userId} with sequence number {@code seq}. */
  void record(String userId, boolean online, long seq) {
    Change c = changes.get(userId);
    if (c == null) {
      c = new Change(userId, !online);
      changes.put(userId, c);
    }
    c.latest = online;
    c.lastSeq = seq;
  }

  /** One subject's changes within the window. */
  static final class Change {
    final String userId;
    /** The visible online flag when the window opened. */
    final boolean start;
    /** The online flag after the subject's last transition in the window. */
    boolean latest;
    /** The sequence number of that last transition. */
    long lastSeq;

    Change(String userId, boolean start) {
      this.userId = userId;
      this.start = start;
    }

    /** Whether the subject ends the window in another state than it began it. */
    boolean flipped() {
      return latest != start;
    }
  }
}
