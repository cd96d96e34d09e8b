package dev.presence;

/**
 * One live connection of a user, returned by {@link PresenceRegistry#connect}. The host calls
 * {@link #touch()} on every sign of life and {@link #close()} when the connection ends.
 *
 * <p>Thread-safe.
 */
public interface PresenceSession extends AutoCloseable {

  /**
   * Returns the user this session belongs to.
   *
   * @return the user id given to {@code connect}
   */
  String userId();

  /**
   * Returns the session id given to {@code connect}.
   *
   * @return the session id, unique among this user's live sessions
   */
  String sessionId();

  /**
   * Records a sign of life (an incoming message or pong) at the registry's ticker time. Cheap:
   * one clock read and one field write, no lock, no allocation. Does nothing once closed.
   */
  void touch();

  /**
   * Returns whether this session is still registered.
   *
   * @return false once closed, evicted or replaced
   */
  boolean isOpen();

  /**
   * Ends the session with {@link DisconnectReason#CLOSED}: the same as
   * {@code close(DisconnectReason.CLOSED)}.
   */
  @Override
  void close();

  /**
   * Ends the session, recording why (it is counted per reason in
   * {@link PresenceRegistry#stats()}). If it was the user's last session, the user goes offline
   * (after the offline grace, if one is set). Idempotent: later calls, and calls after an
   * eviction or replacement, do nothing and leave the first reason recorded. Does <b>not</b>
   * call {@link Outbound#close}: the host that ends the session closes its own transport. A
   * WebSocket adapter passes {@link DisconnectReason#SLOW_CONSUMER} when it ends a client that
   * does not keep up, {@link DisconnectReason#ERROR} from its error callback, and so on.
   *
   * @param reason why the session ended
   * @throws NullPointerException if {@code reason} is null
   */
  void close(DisconnectReason reason);
}
