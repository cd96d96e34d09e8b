package dev.presence;

import java.util.Objects;

/**
 * Turns transitions into {@code {"type":"user_status_changed","user_id":…,"is_online":…}}
 * messages to every live session of every online member of the user's {@link Audience}, never
 * to the user themselves, with no database query.
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
   * Starts broadcasting the registry's transitions to the audience.
   *
   * @param registry where transitions come from and messages go out
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
   * Sends the status change to the audience.
   *
   * @param event the transition
   */
  @Override
  public void onTransition(PresenceEvent event) {
    String message = null;
    for (String member : audience.audienceOf(event.userId())) {
      if (!member.equals(event.userId()) && registry.isOnline(member)) {
        if (message == null) {
          message = PresenceMessages.userStatusChanged(event.userId(), event.online());
        }
        registry.sendToUser(member, message);
      }
    }
  }

  @Override
  public String toString() {
    return "StatusBroadcaster(" + audience + ")";
  }
}
