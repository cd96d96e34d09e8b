package dev.presence;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Computes, for one closed window of a {@link PresenceFanout}, the diff each connected recipient
 * must get. Reads the registry and the audience; sends nothing. Thread-safe as long as one window
 * is computed at a time (the fan-out's flush lock).
 */
final class WindowDiffs {
  private final PresenceRegistry registry;
  private final Audience audience;
  private final FanoutVisibility visibility;
  /** The connected members of each thread, or null to walk every member (and ask each). */
  private final @Nullable OnlineMembers onlineMembers;

  WindowDiffs(PresenceRegistry registry, Audience audience, FanoutVisibility visibility,
      @Nullable OnlineMembers onlineMembers) {
    this.registry = registry;
    this.audience = audience;
    this.visibility = visibility;
    this.onlineMembers = onlineMembers;
  }

  /** Per recipient, the users it must hear about, with their latest flag. */
  Map<String, Diff> of(DiffWindow w) {
    Map<String, Diff> out = new HashMap<>();
    if (audience instanceof ThreadMembership threads) {
      diffsByThread(w, threads, out);
    } else {
      for (DiffWindow.Change c : w.changes.values()) {
        if (c.reported()) {
          for (String r : audience.audienceOf(c.userId)) {
            if (!r.equals(c.userId) && registry.sessionCount(r) > 0) {
              addVisible(out, r, c);
            }
          }
        }
      }
    }
    // A recipient sent a state within the window also hears of everyone who changed after that
    // state, even if they are back where the window started: the state may show them between.
    for (Map.Entry<String, Long> s : w.states.entrySet()) {
      String r = s.getKey();
      if (registry.sessionCount(r) == 0) {
        continue;
      }
      Collection<String> members = null;
      for (DiffWindow.Change c : w.changes.values()) {
        if (c.lastSeq <= s.getValue() || c.userId.equals(r)) {
          continue; // not after the state: the state has it
        }
        if (members == null) {
          members = audience.audienceOf(r);
        }
        if (!members.contains(c.userId)) {
          continue;
        }
        Visibility v = visibility.of(r, c.userId);
        if (v.presence() && !c.reportedTo(Shown.of(v))) { // reported: already in
          out.computeIfAbsent(r, k -> new Diff()).add(c, true, Shown.of(v), r); // with its latest flag
        }
      }
    }
    return out;
  }

  /**
   * The thread-membership path: changes are grouped by thread, and each online member of a
   * thread with changes is handed that thread's group. Cost per window: O(changes x threads per
   * user + connected members of the threads with changes) with the online-members index
   * (O(members) without it), instead of O(changes x audience).
   */
  private void diffsByThread(DiffWindow w, ThreadMembership threads, Map<String, Diff> out) {
    Map<String, Diff.Group> byThread = new LinkedHashMap<>();
    for (DiffWindow.Change c : w.changes.values()) {
      if (c.reported()) {
        Set<String> ts = threads.threadsView(c.userId);
        if (ts != null) {
          for (String t : ts) {
            byThread.computeIfAbsent(t, k -> new Diff.Group()).add(c);
          }
        }
      }
    }
    List<String> gone = null;
    for (Map.Entry<String, Diff.Group> e : byThread.entrySet()) {
      Set<String> members = onlineMembers != null ? onlineMembers.of(e.getKey()) : threads.membersView(e.getKey());
      if (members == null) {
        continue;
      }
      Diff.Group g = e.getValue();
      for (String r : members) {
        if (registry.sessionCount(r) == 0) { // invisible recipients are connected, hence included
          if (onlineMembers != null) {
            gone = gone == null ? new ArrayList<>() : gone;
            gone.add(r); // e.g. an invisible user who left: no event told
          }
          continue;
        }
        if (visibility.allFullyVisibleTo(r, g)) {
          out.computeIfAbsent(r, k -> new Diff()).addGroup(g, r); // one text for the room
        } else {
          for (Diff.Entry x : g.entries) {
            if (!x.change().userId.equals(r)) {
              addVisible(out, r, x.change());
            }
          }
        }
      }
    }
    if (gone != null) {
      for (String r : gone) { // within the offline grace (online, no session) a user stays
        onlineMembers.removeIf(r, x -> registry.sessionCount(x) == 0 && !registry.isOnline(x));
      }
    }
  }

  /**
   * Adds {@code c} to {@code r}'s diff as {@code r} may see it: not at all without presence, listed
   * if it flipped, else in {@code users} only if what {@code r} may see of it changed.
   */
  private void addVisible(Map<String, Diff> out, String r, DiffWindow.Change c) {
    Visibility v = visibility.of(r, c.userId);
    if (!v.presence()) {
      return;
    }
    Shown shown = Shown.of(v);
    if (c.reportedTo(shown)) {
      out.computeIfAbsent(r, k -> new Diff()).add(c, c.flipped(), shown, r);
    }
  }
}
