package dev.presence.redis;

import dev.presence.PresenceEvent;
import dev.presence.PresenceUpdate;
import dev.presence.Status;
import dev.presence.StatusText;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What this node's listeners have been told of each user, and the events that bring them up to
 * date: after any change of a user's holders or records, {@link #reconcile} compares the
 * cluster-wide {@link Aggregate} with what was told and queues the difference (an online or
 * offline transition, or an update of status, text or metadata). Because every event is the
 * difference between two states computed on one thread, events are per user ordered,
 * alternating and each once by construction.
 *
 * <p>Threading: written on the node's loop only; {@link #online} and {@link #onlineCount} may
 * be read from any thread.
 */
final class ToldState {
  private final String self;
  private final EventDelivery events;
  private final Function<String, Map<String, Contribution>> remote;
  /** user -> what listeners were last told of a user they see online. */
  private final ConcurrentHashMap<String, Shown> shown = new ConcurrentHashMap<>();
  /** This node's own records, as last announced. */
  private final Map<String, Contribution> ownRecords = new HashMap<>();

  /** What listeners were told of a user they see online. */
  private record Shown(Status status, StatusText statusText,
      Map<String, Map<String, String>> metadata) {}

  /**
   * @param remote the other nodes' records of a user (node -> record), on the loop
   */
  ToldState(String self, EventDelivery events,
      Function<String, Map<String, Contribution>> remote) {
    this.self = self;
    this.events = events;
    this.remote = remote;
  }

  /** Any thread: whether listeners were told the user is online. */
  boolean online(String user) {
    return shown.containsKey(user);
  }

  /** Any thread: how many users listeners see online. */
  int onlineCount() {
    return shown.size();
  }

  /** Sets this node's record of the user (null: none); returns whether it changed. */
  boolean setOwnRecord(String user, Contribution c) {
    Contribution before = c == null ? ownRecords.remove(user) : ownRecords.put(user, c);
    return !Objects.equals(before, c);
  }

  /**
   * Compares what listeners were told of the user with what is true now and queues the
   * difference: an online or offline transition, or an update (status, text, metadata).
   */
  void reconcile(String user, boolean heldPublicly, Instant at) {
    Aggregate g = Aggregate.of(ownRecords.get(user), remote.apply(user).values(), at);
    boolean online = heldPublicly && (g == null || g.online(true));
    Shown before = shown.get(user);
    if (!online) {
      if (before != null) {
        shown.remove(user);
        events.publish(new PresenceEvent(user, false, at));
      }
      return;
    }
    if (g == null && before != null) {
      return; // no record at the moment (one is on its way): nothing new to tell
    }
    Shown now = g == null ? new Shown(Status.AVAILABLE, null, Map.of())
        : new Shown(g.status(true), g.statusText(), metadataOf(user));
    if (before == null) {
      shown.put(user, now);
      events.publish(new PresenceEvent(user, true, at));
      return;
    }
    if (before.equals(now)) {
      return;
    }
    shown.put(user, now);
    EnumSet<PresenceUpdate.Change> changes = EnumSet.noneOf(PresenceUpdate.Change.class);
    if (before.status() != now.status()) {
      changes.add(PresenceUpdate.Change.STATUS);
    }
    if (!Objects.equals(before.statusText(), now.statusText())) {
      changes.add(PresenceUpdate.Change.STATUS_TEXT);
    }
    for (Map.Entry<String, Map<String, String>> e : now.metadata().entrySet()) {
      Map<String, String> old = before.metadata().get(e.getKey());
      if (old != null && !old.equals(e.getValue())) {
        changes.add(PresenceUpdate.Change.METADATA);
        break;
      }
    }
    if (!changes.isEmpty()) {
      events.publish(new PresenceUpdate(user, now.status(), now.statusText(),
          g == null ? null : g.lastActive(), at, changes));
    }
  }

  /** node + session -> metadata of every session of the user (loop only). */
  private Map<String, Map<String, String>> metadataOf(String user) {
    Map<String, Map<String, String>> m = new TreeMap<>();
    Contribution mine = ownRecords.get(user);
    if (mine != null) {
      mine.sessions().forEach(s -> m.put(self + '\u0000' + s.sessionId(), s.metadata()));
    }
    remote.apply(user).forEach((node, c) ->
        c.sessions().forEach(s -> m.put(node + '\u0000' + s.sessionId(), s.metadata())));
    return m;
  }

}
