package dev.presence;

import java.util.EnumMap;
import org.jspecify.annotations.Nullable;

/**
 * The {@code user_status_changed} texts of one change of one user, per recipient: the registry's
 * policy decides what each recipient may see, and the JSON is built once per distinct way of
 * showing the user (at most four; once in all under {@link PresencePolicy#everyone()}). Shared by
 * {@link StatusBroadcaster} and {@link PresenceFanout} so both send the same messages.
 *
 * <p>Not thread-safe: one instance serves one delivery on one thread.
 */
final class StatusTexts {
  private final PresenceRegistry registry;
  private final VisiblePresence full;
  private final EnumMap<Shown, String> texts = new EnumMap<>(Shown.class);

  private StatusTexts(PresenceRegistry registry, VisiblePresence full) {
    this.registry = registry;
    this.full = full;
  }

  /** For a transition: an online message carries the user's status and text as they are now. */
  static StatusTexts of(PresenceRegistry registry, PresenceEvent event) {
    String userId = event.userId();
    if (!event.online()) {
      return new StatusTexts(registry, VisiblePresence.offline(userId));
    }
    return new StatusTexts(registry, onlineNow(registry, userId));
  }

  /**
   * Everything others may be shown of a user who just came online, as of now (unfiltered, no
   * availability): plain available if the registry already has them offline or invisible again
   * (their offline transition follows).
   */
  static VisiblePresence onlineNow(PresenceRegistry registry, String userId) {
    VisiblePresence self = registry.visiblePresence(userId, userId); // everything, as of now
    return self.online() && self.availability() != Availability.INVISIBLE
        ? new VisiblePresence(userId, true, self.status(), self.statusText(), self.lastActive(), null)
        : new VisiblePresence(userId, true, Status.AVAILABLE, null, null, null);
  }

  /** For an update, everything others may be shown of the user (unfiltered). */
  static VisiblePresence fieldsOf(PresenceUpdate update) {
    return new VisiblePresence(update.userId(), true, update.status(), update.statusText(),
        update.lastActive(), null);
  }

  /** For an update; null if other users cannot see what changed (metadata only). */
  static @Nullable StatusTexts of(PresenceRegistry registry, PresenceUpdate update) {
    if (!update.isVisibleChange()) {
      return null;
    }
    return new StatusTexts(registry, fieldsOf(update));
  }

  String userId() {
    return full.userId();
  }

  /**
   * Returns the text for {@code recipient}, or null if the recipient may not see the user at all
   * (then it must not be told anything, not even that the user left).
   */
  @Nullable String textFor(String recipient) {
    return textFor(registry.visibility(recipient, full.userId()));
  }

  /**
   * Returns the text for a recipient with visibility {@code v} of the user, or null if {@code v}
   * does not let it see the user's presence.
   */
  @Nullable String textFor(Visibility v) {
    if (!v.presence()) {
      return null;
    }
    Shown shown = Shown.of(v);
    String text = texts.get(shown);
    if (text == null) {
      text = PresenceMessages.userStatusChanged(shown.apply(full));
      texts.put(shown, text);
    }
    return text;
  }
}
