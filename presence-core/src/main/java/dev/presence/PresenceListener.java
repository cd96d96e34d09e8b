package dev.presence;

/**
 * Receives transitions. For a given user, events arrive in order, strictly alternating online
 * and offline, each exactly once; events of different users may arrive concurrently on
 * different threads. Called outside the registry's locks, so a listener may call back into the
 * registry. A listener that throws is logged and skipped; other listeners still run.
 *
 * <p>Implementations must be thread-safe and should be quick: they run on the thread that
 * caused the transition (a connection thread or the heartbeat thread).
 */
@FunctionalInterface
public interface PresenceListener {

  /**
   * Called once per transition.
   *
   * @param event the transition
   */
  void onTransition(PresenceEvent event);
}
