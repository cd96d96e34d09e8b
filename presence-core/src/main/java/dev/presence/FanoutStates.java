package dev.presence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The {@code presence_state}s of a batched {@link PresenceFanout}: a session registered during a
 * window gets its state at that window's flush, cut at the instant the window closed. One flush
 * builds the states of all such sessions together:
 *
 * <ul>
 *   <li>each member of their audiences is read once (under the fan-out's lock, for one consistent
 *       cut) and serialized at most once per way of showing ({@link Shown}, or offline), as a
 *       {@code "id":{…}} fragment shared by every state of the flush;
 *   <li>each viewer's text is those fragments concatenated, without the viewer itself, each chosen
 *       by what the policies let that viewer see of that member (so a custom policy, however
 *       per-viewer, costs one policy call per viewer and member, never a serialization);
 *   <li>the sessions of one user share one text (the same {@code String}).
 * </ul>
 *
 * <p>A room of {@code M} members coming online in one window thus serializes {@code M} fragments,
 * not {@code M²} entries; what is left per member is copying its text (O(M) characters), which
 * the protocol requires since a state never includes its recipient.
 *
 * <p>Not thread-safe: a {@link Batch} is confined to the flushing thread, but for
 * {@link Batch#cut}, which the caller runs under the fan-out's lock.
 */
final class FanoutStates {
  private static final String OPEN = "{\"type\":\"presence_state\",\"users\":{";
  private static final String CLOSE = "}}";

  private final PresenceRegistry registry;
  private final Audience audience;
  private final FanoutVisibility visibility;

  FanoutStates(PresenceRegistry registry, Audience audience, FanoutVisibility visibility) {
    this.registry = registry;
    this.audience = audience;
    this.visibility = visibility;
  }

  /** A session waiting in a window for its state, and how to reach it. */
  record Pending(PresenceSession session, Consumer<String> send) {}

  /**
   * A user the fan-out's events say is online, as of their latest event, with the latest activity
   * the registry knows (activity alone fires no event).
   */
  VisiblePresence withLatestActivity(VisiblePresence p) {
    Instant active = registry.lastActive(p.userId()).orElse(null);
    if (active == null || (p.lastActive() != null && !active.isAfter(p.lastActive()))) {
      return p;
    }
    return new VisiblePresence(p.userId(), true, p.status(), p.statusText(), active, null);
  }

  /**
   * The state message of {@code viewer} alone: without a window, from the registry now (what
   * {@link PresenceRegistry#visiblePresence} says, invisibility included); with one, cut now in
   * the open window (a {@code presence_resync}: later changes carry a higher sequence number, and
   * the window's diffs tell the viewer of them).
   */
  String single(String viewer, @Nullable FanoutWindow window) {
    Collection<String> members = audience.audienceOf(viewer);
    Map<String, VisiblePresence> users = new TreeMap<>();
    if (window == null) {
      for (String m : members) {
        if (!m.equals(viewer)) {
          Visibility v = visibility.of(viewer, m);
          users.put(m, v.presence() ? Shown.of(v).apply(registry.visiblePresence(viewer, m)) // invisibility too
              : VisiblePresence.offline(m));
        }
      }
    } else {
      window.cutNow(viewer, members).forEach((m, p) -> {
        Visibility v = p == null ? Visibility.NONE : visibility.of(viewer, m);
        users.put(m, v.presence() ? Shown.of(v).apply(withLatestActivity(p)) : VisiblePresence.offline(m));
      });
    }
    return FanoutMessages.state(users);
  }

  /**
   * Starts the states of one flush: groups the sessions by user (closed ones left out) and reads
   * each user's audience. Reads the audience only; call {@link Batch#cut} next, under the lock.
   */
  Batch batch(List<Pending> pending) {
    return new Batch(pending);
  }

  /** The states of one flush. */
  final class Batch {
    /** Per viewer, its sessions waiting for a state, in the order they were registered. */
    private final Map<String, List<Pending>> sessions = new LinkedHashMap<>();
    /** Per viewer, its audience (possibly with itself), sorted by id. */
    private final Map<String, Slot[]> audiences = new HashMap<>();
    /** One slot per member of any of those audiences. */
    private final Map<String, Slot> slots = new HashMap<>();
    /** Per thread, its members sorted by id ({@link ThreadMembership} audiences). */
    private final Map<String, Slot[]> threadMembers = new HashMap<>();

    private Batch(List<Pending> pending) {
      for (Pending p : pending) {
        if (p.session().isOpen()) {
          sessions.computeIfAbsent(p.session().userId(), k -> new ArrayList<>(1)).add(p);
        }
      }
      for (String viewer : sessions.keySet()) {
        audiences.put(viewer, audience instanceof ThreadMembership threads
            ? byThreads(threads, viewer) : sorted(audience.audienceOf(viewer)));
      }
    }

    /** The viewers with sessions waiting, and those sessions (live view, read-only). */
    Map<String, List<Pending>> sessions() {
      return sessions;
    }

    /**
     * Reads every member's presence as of the cut: {@code presenceAtCut} returns the unfiltered
     * presence the fan-out showed of a user when the window closed, or null if offline. The
     * caller holds the fan-out's lock, so that all states of the flush show one instant.
     */
    void cut(Function<String, @Nullable VisiblePresence> presenceAtCut) {
      for (Slot s : slots.values()) {
        s.presence = presenceAtCut.apply(s.id);
      }
    }

    /** After the cut, outside the lock: the latest activity of everyone online at the cut. */
    void addLatestActivity() {
      for (Slot s : slots.values()) {
        if (s.presence != null) {
          s.presence = withLatestActivity(s.presence);
        }
      }
    }

    /**
     * The {@code presence_state} text of {@code viewer}: what it may see of its audience. Joined
     * with a {@link StringJoiner}, which allocates the text's bytes once (no builder to copy).
     */
    String text(String viewer) {
      StringJoiner text = new StringJoiner(",", OPEN, CLOSE);
      for (Slot s : audiences.get(viewer)) {
        if (!s.id.equals(viewer)) {
          text.add(s.fragmentFor(viewer));
        }
      }
      return text.toString();
    }

    /** The union of the viewer's threads' members, sorted; each thread sorted once per flush. */
    private Slot[] byThreads(ThreadMembership threads, String viewer) {
      Set<String> ts = threads.threadsView(viewer);
      Slot[] out = new Slot[0];
      if (ts == null) {
        return out;
      }
      for (String t : ts) {
        Slot[] members = threadMembers.computeIfAbsent(t, k -> {
          Set<String> m = threads.membersView(k);
          return m == null ? new Slot[0] : sorted(m);
        });
        out = out.length == 0 ? members : merge(out, members);
      }
      return out;
    }

    private Slot[] sorted(Collection<String> ids) {
      TreeSet<String> unique = new TreeSet<>(ids);
      Slot[] out = new Slot[unique.size()];
      int i = 0;
      for (String id : unique) {
        out[i++] = slots.computeIfAbsent(id, Slot::new);
      }
      return out;
    }
  }

  /** Two sorted arrays of slots as one, sorted, without duplicates. */
  private static Slot[] merge(Slot[] a, Slot[] b) {
    Slot[] out = new Slot[a.length + b.length];
    int i = 0;
    int j = 0;
    int n = 0;
    while (i < a.length && j < b.length) {
      int c = a[i].id.compareTo(b[j].id);
      if (c == 0) {
        j++;
      }
      out[n++] = c <= 0 ? a[i++] : b[j++];
    }
    while (i < a.length) {
      out[n++] = a[i++];
    }
    while (j < b.length) {
      out[n++] = b[j++];
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  /**
   * One member of the flush's audiences: its presence at the cut and its state fragments, built
   * lazily once per way of showing.
   */
  private final class Slot {
    final String id;
    @Nullable VisiblePresence presence;
    private @Nullable String offline;
    private final EnumMap<Shown, String> shown = new EnumMap<>(Shown.class);

    Slot(String id) {
      this.id = id;
    }

    /** {@code "id":{…}} as {@code viewer} may see this member. */
    String fragmentFor(String viewer) {
      VisiblePresence p = presence;
      Visibility v = p == null ? Visibility.NONE : visibility.of(viewer, id);
      if (!v.presence()) {
        if (offline == null) {
          offline = FanoutMessages.stateEntry(VisiblePresence.offline(id));
        }
        return offline;
      }
      Shown s = Shown.of(v);
      return shown.computeIfAbsent(s, way -> FanoutMessages.stateEntry(way.apply(p)));
    }

    @Override
    public String toString() {
      return "Slot(" + id + ")";
    }
  }
}
