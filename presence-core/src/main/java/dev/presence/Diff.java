package dev.presence;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One recipient's {@code presence_diff} for one window, built by {@link PresenceFanout}'s flush.
 * In the common case it is one {@link Group} (the changes of one thread the recipient is in),
 * shared with every other member of that thread and serialized once for all of them; only a
 * recipient hearing of more than one group, or of single users, gets lists of its own.
 *
 * <p>Not thread-safe: confined to the flushing thread.
 */
final class Diff {
  private Group group;
  private String excluded;
  private List<String> online;
  private List<String> offline;
  private Set<String> seen;

  /** Adds a group's changes, without the recipient itself. */
  void addGroup(Group g, String recipient) {
    if (group == null && online == null) {
      group = g;
      excluded = g.ids.contains(recipient) ? recipient : null;
      return;
    }
    materialize();
    for (int i = 0; i < g.online.size(); i++) {
      add(g.online.get(i), true, recipient);
    }
    for (int i = 0; i < g.offline.size(); i++) {
      add(g.offline.get(i), false, recipient);
    }
  }

  /** Adds one user's latest flag, unless already in or the recipient itself. */
  void add(String userId, boolean isOnline, String recipient) {
    if (userId.equals(recipient)) {
      return;
    }
    materialize();
    if (seen.add(userId)) {
      (isOnline ? online : offline).add(userId);
    }
  }

  private void materialize() {
    if (online != null) {
      return;
    }
    online = new ArrayList<>();
    offline = new ArrayList<>();
    seen = new HashSet<>();
    if (group != null) {
      copy(group.online, online);
      copy(group.offline, offline);
      group = null;
    }
  }

  private void copy(List<String> from, List<String> to) {
    for (String u : from) {
      if (!u.equals(excluded)) {
        to.add(u);
        seen.add(u);
      }
    }
  }

  /** How many users this diff lists. */
  int size() {
    if (online == null) {
      return group == null ? 0 : group.ids.size() - (excluded == null ? 0 : 1);
    }
    return online.size() + offline.size();
  }

  /** Equal keys, equal text: a shared group is keyed by identity, own lists by content. */
  Object key() {
    return online == null ? new GroupKey(group, excluded) : new ContentKey(online, offline);
  }

  /** The JSON text. */
  String text() {
    if (online == null) {
      List<String> on = new ArrayList<>(group.online);
      List<String> off = new ArrayList<>(group.offline);
      if (excluded != null) {
        on.remove(excluded);
        off.remove(excluded);
      }
      return FanoutMessages.diff(on, off);
    }
    return FanoutMessages.diff(online, offline);
  }

  /** The users of one thread who flipped in the window, with their latest flag, in order. */
  static final class Group {
    final List<String> online = new ArrayList<>(4);
    final List<String> offline = new ArrayList<>(4);
    final Set<String> ids = new HashSet<>();

    void add(String userId, boolean isOnline) {
      if (ids.add(userId)) {
        (isOnline ? online : offline).add(userId);
      }
    }
  }

  private record GroupKey(Group group, String excluded) {}

  private record ContentKey(List<String> online, List<String> offline) {}
}
