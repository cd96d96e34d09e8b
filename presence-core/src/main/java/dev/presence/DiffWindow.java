package dev.presence;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What happened during one batch window of a {@link PresenceFanout}: every user who had a
 * transition or a visible update (with their state when the window opened and their latest
 * state and fields), every recipient that was sent a {@code presence_state} (with the
 * sequence number of that state), and every session waiting for its state at the flush. Memory is
 * O(users who changed + states sent + sessions registered) per window, whatever the audiences'
 * sizes.
 *
 * <p>Not thread-safe: guarded by the fan-out's lock while open, owned by the flushing thread
 * once swapped out.
 */
final class DiffWindow {
  /** Subjects that changed in this window, in the order of their first change. */
  final LinkedHashMap<String, Change> changes = new LinkedHashMap<>();
  /**
   * Recipients sent a state in this window other than at a flush ({@code presence_resync}), and
   * the sequence number the state was cut at.
   */
  final Map<String, Long> states = new HashMap<>();
  /**
   * Sessions registered in this window, waiting for their state at its flush: one entry per
   * {@link PresenceFanout#sendState} call, dropped with the window.
   */
  final List<FanoutStates.Pending> pending = new ArrayList<>();

  boolean isEmpty() {
    return changes.isEmpty() && states.isEmpty() && pending.isEmpty();
  }

  /**
   * Records a transition of {@code userId} with sequence number {@code seq}.
   *
   * @param fields what others may be shown of the user now, when {@code online}; else ignored
   * @param at the transition's time: the user's last seen when going offline
   * @param before the fields the fan-out showed of the user until now (null if offline)
   */
  void record(String userId, boolean online, VisiblePresence fields, Instant at, @Nullable VisiblePresence before,
      long seq) {
    Change c = change(userId, !online, before);
    c.latest = online;
    c.fields = online ? fields : null;
    c.offlineAt = online ? null : at;
    c.lastSeq = seq;
  }

  /**
   * Records a visible update (status or text) of an online user with sequence number {@code seq}:
   * the latest fields win.
   */
  void update(String userId, VisiblePresence fields, VisiblePresence before, long seq) {
    Change c = change(userId, true, before);
    c.latest = true;
    c.fields = fields;
    c.offlineAt = null;
    c.lastSeq = seq;
  }

  private Change change(String userId, boolean start, VisiblePresence before) {
    Change c = changes.get(userId);
    if (c == null) {
      c = new Change(userId, start, start ? before : null);
      changes.put(userId, c);
    }
    return c;
  }

  /** One subject's changes within the window. Equality is identity. */
  static final class Change {
    final String userId;
    /** The visible online flag when the window opened. */
    final boolean start;
    /** What the fan-out showed of the user when the window opened, if online then (may be null). */
    final @Nullable VisiblePresence startFields;
    /** The online flag after the subject's last transition in the window. */
    boolean latest;
    /** The latest fields, unfiltered, while {@link #latest} is online. */
    VisiblePresence fields;
    /** The time of the last offline transition, while {@link #latest} is offline. */
    Instant offlineAt;
    /** The sequence number of that last transition or update. */
    long lastSeq;
    /**
     * The JSON fields of the user per way of showing, built at the flush (after the window closed,
     * on the flushing thread) once and shared by every diff text of the window.
     */
    private EnumMap<Shown, ObjectNode> json;

    Change(String userId, boolean start, @Nullable VisiblePresence startFields) {
      this.userId = userId;
      this.start = start;
      this.startFields = startFields;
    }

    /** Whether the subject ends the window in another state than it began it. */
    boolean flipped() {
      return latest != start;
    }

    /**
     * Whether a recipient shown the subject {@code shown}-wise must hear of this change: it
     * flipped, or it is online at both ends with another status (or, if shown, status text) than
     * at the start.
     */
    boolean reportedTo(Shown shown) {
      if (flipped()) {
        return true;
      }
      if (!latest) {
        return false;
      }
      if (startFields == null || fields == null) {
        return true; // not known what the recipients saw: tell them
      }
      return startFields.status() != fields.status()
          || (shown.text() && !Objects.equals(startFields.statusText(), fields.statusText()));
    }

    /** The user's fields as {@code shown} allows; call only once the window is closed. */
    ObjectNode json(Shown shown) {
      if (json == null) {
        json = new EnumMap<>(Shown.class);
      }
      return json.computeIfAbsent(shown, s -> FanoutMessages.entry(this, s));
    }

    /** Whether anyone must hear of this change (a recipient who may see everything). */
    boolean reported() {
      return reportedTo(Shown.ALL);
    }
  }
}
