package dev.presence.testing;

import dev.presence.PresenceEvent;
import dev.presence.PresenceListener;
import dev.presence.PresenceUpdate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records transitions and updates in the order delivered. Thread-safe. */
public final class RecordingListener implements PresenceListener {
  public final List<Object> events = new CopyOnWriteArrayList<>();

  @Override
  public void onTransition(PresenceEvent event) {
    events.add(event);
  }

  @Override
  public void onUpdate(PresenceUpdate update) {
    events.add(update);
  }

  public List<PresenceEvent> transitions() {
    return events.stream().filter(PresenceEvent.class::isInstance).map(PresenceEvent.class::cast).toList();
  }

  public List<PresenceUpdate> updates() {
    return events.stream().filter(PresenceUpdate.class::isInstance).map(PresenceUpdate.class::cast).toList();
  }

  /** Short form for assertions: "+alice", "-alice", "alice:away", "alice:busy 'text'", "alice:meta". */
  public List<String> log() {
    return events.stream().map(RecordingListener::describe).toList();
  }

  public void clear() {
    events.clear();
  }

  static String describe(Object o) {
    if (o instanceof PresenceEvent e) {
      return (e.online() ? "+" : "-") + e.userId();
    }
    PresenceUpdate u = (PresenceUpdate) o;
    if (!u.isVisibleChange()) {
      return u.userId() + ":meta";
    }
    return u.userId() + ":" + u.status().wireName() + (u.statusText() == null ? "" : " '" + u.statusText().text() + "'");
  }
}
