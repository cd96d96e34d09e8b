package dev.presence.benchmarks;

/**
 * One way of tracking who is online, driven identically by every benchmark so that the peers
 * are compared on the same operations. Connections live in numbered slots prepared up front, so
 * that each peer does in the timed part only what its registry itself does (Spring's events,
 * for instance, are built in {@link #prepare}, not per operation).
 *
 * <p>Not thread-safe for the slot bookkeeping: a slot belongs to one benchmark thread. The
 * registries behind it are used concurrently by the multi-threaded benchmarks.
 */
interface Peer extends AutoCloseable {

  /** The peers, as the JMH {@code impl} parameter names them. */
  String CHM = "chm";
  String SPRING = "spring";
  String SPRING_EVENTS = "spring_events";
  String PRESENCE = "presence";

  /**
   * Makes slots {@code 0..users.length-1}: slot i connects session {@code sessions[i]} of user
   * {@code users[i]}.
   *
   * @param users the user of each slot
   * @param sessions the session id of each slot, unique across all users (Spring keys by it)
   */
  void prepare(String[] users, String[] sessions);

  /**
   * Opens the slot's connection.
   *
   * @param slot a prepared slot that is not open
   */
  void connect(int slot);

  /**
   * Closes the slot's connection.
   *
   * @param slot a prepared slot that is open
   */
  void disconnect(int slot);

  /**
   * Opens a connection that is never closed (background population), without slot bookkeeping.
   *
   * @param user the user
   * @param session a session id unique across all users
   */
  void populate(String user, String session);

  /**
   * Returns whether the user is online.
   *
   * @param user the user
   * @return true if the peer believes the user has a connection
   */
  boolean isOnline(String user);

  @Override
  void close();

  /**
   * Creates a peer.
   *
   * @param name {@link #CHM}, {@link #SPRING}, {@link #SPRING_EVENTS} or {@link #PRESENCE}
   * @return a new, empty peer
   * @throws IllegalArgumentException if the name is unknown
   */
  static Peer create(String name) {
    return switch (name) {
      case CHM -> new ChmPeer();
      case SPRING -> new SpringPeer();
      case SPRING_EVENTS -> new SpringEventsPeer();
      case PRESENCE -> new PresencePeer();
      default -> throw new IllegalArgumentException(
          "impl must be chm, spring, spring_events or presence: " + name);
    };
  }
}
