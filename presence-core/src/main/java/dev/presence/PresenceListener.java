package dev.presence;

/**
 * Receives transitions and updates. For a given user, events arrive in order, transitions
 * strictly alternating online and offline, each at most once, updates in the same stream between
 * them; called outside the registry's locks, so a listener may call back into the registry. A
 * listener that throws is logged and skipped; other listeners still run.
 *
 * <p>Transitions are <b>public</b>: online means the user has a session and is not
 * {@link Availability#INVISIBLE}. Going invisible is an offline transition, coming back an online
 * one; connecting or disconnecting while invisible fires nothing.
 *
 * <p>Listeners run on the registry's event executor (by default one daemon thread,
 * "presence-events"), never on a connection thread or the heartbeat thread: a slow or blocked
 * listener delays only the delivery of later events, never pings, evictions, connects or
 * closes. Events are therefore delivered shortly <i>after</i> the registry's state changed; a
 * listener that reads the registry sees that state or a later one. While listeners keep up every
 * transition and update is delivered. When they fall behind by {@code maxPendingEvents}, an
 * undelivered offline event and the next online event of the same user cancel out, and an
 * undelivered update is replaced by the next one of the same user (see
 * {@link PresenceRegistry.Builder#maxPendingEvents}), so a listener may miss a brief
 * offline-and-back or an intermediate status, but each user's events still alternate and end in
 * the user's current state. After {@link PresenceRegistry#close()} returns, no listener is called.
 *
 * <p>Implementations must be thread-safe and should be quick.
 */
@FunctionalInterface
public interface PresenceListener {

  /**
   * Called once per transition.
   *
   * @param event the transition
   */
  void onTransition(PresenceEvent event);

  /**
   * Called when a publicly online user's status, status text or session metadata changes
   * (activity alone fires nothing; idle → away and back do). The default does nothing.
   *
   * @param update the change
   */
  default void onUpdate(PresenceUpdate update) {}
}
