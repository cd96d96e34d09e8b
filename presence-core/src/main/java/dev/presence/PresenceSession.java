package dev.presence;

import java.util.Map;

/**
 * One live connection of a user, returned by {@link PresenceRegistry#connect}. The host calls
 * {@link #touch()} on every sign of life, {@link #activity()} on every sign of the user doing
 * something, and {@link #close()} when the connection ends.
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
   * Records activity: the user did something on this session (typed, sent a message, clicked),
   * as opposed to the connection merely being alive. Implies {@link #touch()}. Keeps the user
   * from going idle (see {@link PresenceRegistry.Builder#idleAfter}), brings an idle user back
   * (firing an update), and sets their last active time. Cheap when the user is not idle: two
   * clock reads and field writes, no lock. Does nothing once closed.
   */
  void activity();

  /**
   * Replaces this session's metadata (e.g. {@code device: "mobile"}). Fires an update
   * ({@link PresenceUpdate.Change#METADATA}) if the user is publicly online and the metadata
   * changed. Does nothing once closed.
   *
   * @param metadata the new metadata, validated by {@link SessionMetadata#validate}
   * @throws NullPointerException if {@code metadata} is null
   * @throws IllegalArgumentException if it is invalid; nothing changes then
   */
  void metadata(Map<String, String> metadata);

  /**
   * Returns this session's metadata.
   *
   * @return an immutable snapshot
   */
  Map<String, String> metadata();

  /**
   * Takes one of this session's client changes ({@link PresenceRegistry.Builder#clientChangeLimit}):
   * call it before applying a change the client asked for ({@link PresenceProtocol#handle} does,
   * for {@code set_status} and {@code set_metadata}). Cheap: one clock read and a short lock on
   * this session. The default implementation (sessions of registries without a limit) always
   * returns true.
   *
   * @return true if the change may be applied; false if the session is over its limit (counted
   *     in {@link PresenceStats#clientChangesRefused()}); then apply nothing
   */
  default boolean tryClientChange() {
    return true;
  }

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
