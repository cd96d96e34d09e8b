package dev.presence;

import java.util.Objects;

/**
 * Turns transitions and updates into {@code user_status_changed} messages to every live
 * session (on this node) of every member of the user's {@link Audience}, never to the user
 * themselves, with no database query.
 *
 * <p>The registry's {@link PresencePolicy} is applied per recipient: a recipient who may not see
 * the user's presence gets no message at all (not even an offline one), and {@code status_text}
 * / {@code last_active} are left out for recipients who may not see them. The JSON text is built
 * once per distinct {@link Visibility} per event (once in all under
 * {@link PresencePolicy#everyone()}). An update that changed only session metadata sends
 * nothing: other users do not see metadata. Recipients are every member with a session here,
 * including invisible ones (they see others while nobody sees them).
 *
 * <p>Thread-safe; stateless beyond its registry and audience.
 */
public final class StatusBroadcaster implements PresenceListener {
  private final PresenceRegistry registry;
  private final Audience audience;

  private StatusBroadcaster(PresenceRegistry registry, Audience audience) {
    this.registry = registry;
    this.audience = audience;
  }

  /**
   * Starts broadcasting the registry's transitions and updates to the audience.
   *
   * @param registry where events come from and messages go out
   * @param audience who hears about whom
   * @return the subscription; close it to stop broadcasting
   * @throws NullPointerException if an argument is null
   */
  public static Subscription install(PresenceRegistry registry, Audience audience) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(audience, "audience");
    return registry.addListener(new StatusBroadcaster(registry, audience));
  }

  /**
   * Sends the transition to the audience. An online message carries the user's status and text
   * as they are at delivery.
   *
   * @param event the transition
   */
  @Override
  public void onTransition(PresenceEvent event) {
    send(StatusTexts.of(registry, event));
  }

  /**
   * Sends the update to the audience, unless only metadata changed.
   *
   * @param update the change
   */
  @Override
  public void onUpdate(PresenceUpdate update) {
    StatusTexts texts = StatusTexts.of(registry, update);
    if (texts != null) {
      send(texts);
    }
  }

  private void send(StatusTexts texts) {
    String userId = texts.userId();
    for (String member : audience.audienceOf(userId)) {
      if (member == null || member.equals(userId) || registry.sessionCount(member) == 0) {
        continue;
      }
      String text = texts.textFor(member);
      if (text != null) { // else: never learns the user is there, nor that they left
        registry.sendToUser(member, text);
      }
    }
  }

  @Override
  public String toString() {
    return "StatusBroadcaster(" + audience + ")";
  }
}
