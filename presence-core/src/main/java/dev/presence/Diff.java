package dev.presence;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One recipient's {@code presence_diff} for one window, built by {@link PresenceFanout}'s flush.
 * In the common case it is one {@link Group} (the changes of one thread the recipient is in, every
 * user shown in full), shared with every other member of that thread and serialized once for all
 * of them; only a recipient hearing of more than one group, of single users, or that may not see
 * everything of everyone in the group gets entries of its own.
 *
 * <p>Not thread-safe: confined to the flushing thread.
 */
final class Diff {
  private Group group;
  private String excluded;
  private List<Entry> entries;
  private Set<String> seen;

  /**
   * One user of a diff: {@code listed} users are in {@code online} or {@code offline} (by their
   * latest flag) and in {@code users}; the others (status or text changed) only in {@code users}.
   */
  record Entry(DiffWindow.Change change, boolean listed, Shown shown) {}

  /** Adds a group's changes, every user shown in full, without the recipient itself. */
  void addGroup(Group g, String recipient) {
    if (group == null && entries == null) {
      group = g;
      excluded = g.ids.contains(recipient) ? recipient : null;
      return;
    }
    materialize();
    for (Entry e : g.entries) {
      add(e.change(), e.listed(), Shown.ALL, recipient);
    }
  }

  /** Adds one user, unless already in or the recipient itself. */
  void add(DiffWindow.Change change, boolean listed, Shown shown, String recipient) {
    if (change.userId.equals(recipient)) {
      return;
    }
    materialize();
    if (seen.add(change.userId)) {
      entries.add(new Entry(change, listed, shown));
    }
  }

  private void materialize() {
    if (entries != null) {
      return;
    }
    entries = new ArrayList<>();
    seen = new HashSet<>();
    if (group != null) {
      for (Entry e : group.entries) {
        if (!e.change().userId.equals(excluded)) {
          entries.add(e);
          seen.add(e.change().userId);
        }
      }
      group = null;
    }
  }

  /** How many users this diff carries. */
  int size() {
    if (entries == null) {
      return group == null ? 0 : group.ids.size() - (excluded == null ? 0 : 1);
    }
    return entries.size();
  }

  /** Equal keys, equal text: a shared group is keyed by identity, own entries by content. */
  Object key() {
    return entries == null ? new GroupKey(group, excluded) : List.copyOf(entries);
  }

  /** The JSON text. */
  String text() {
    if (entries == null) {
      if (excluded == null) {
        return FanoutMessages.diff(group.entries);
      }
      List<Entry> without = new ArrayList<>(group.entries);
      without.removeIf(e -> e.change().userId.equals(excluded));
      return FanoutMessages.diff(without);
    }
    return FanoutMessages.diff(entries);
  }

  /**
   * The users of one thread the window must report (see {@link DiffWindow.Change#reported()}),
   * each shown in full, in order.
   */
  static final class Group {
    final List<Entry> entries = new ArrayList<>(4);
    final Set<String> ids = new HashSet<>();

    void add(DiffWindow.Change change) {
      if (ids.add(change.userId)) {
        entries.add(new Entry(change, change.flipped(), Shown.ALL));
      }
    }
  }

  private record GroupKey(Group group, String excluded) {}
}
