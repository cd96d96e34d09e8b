package dev.presence.redis;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * What a node needs from the shared store, in the protocol's terms (see {@code Scripts} and
 * docs/clustering.md): every operation is one atomic step on the store, asynchronous, and never
 * blocks the caller. Replies and {@link Events} may arrive on any thread; the caller hops to its
 * own loop. Implementations: {@link RedisTransport} (standalone Redis and Redis Cluster), and an
 * in-memory one in the tests.
 *
 * <p>Implementations must be thread-safe.
 */
interface ClusterTransport extends AutoCloseable {

  /** What the transport hears. Called on any thread; must not block. */
  interface Events {
    /** A raw message from the presence channel(s), this node's own included. */
    void message(String raw);

    /** A connection was lost: commands fail and messages may be missed until it is back. */
    void connectionLost();

    /** A connection is back (or the store's topology changed): messages may have been missed. */
    void connectionRestored();
  }

  /**
   * What a snapshot of one node holds, read atomically.
   *
   * @param records the node's rich-presence records: user to the JSON of its contribution, as
   *     stored (decoded and validated by the reader)
   */
  record Snapshot(boolean joined, long seq, Set<String> users, Map<String, String> records) {
    Snapshot(boolean joined, long seq, Set<String> users) {
      this(joined, seq, users, Map.of());
    }
  }

  /** The outcome of a claim on a node whose lease may have expired. */
  enum ClaimOutcome {
    /** The node's lease is alive: nothing done. */
    ALIVE,
    /** This caller claimed the node: its users are returned, its departure announced. */
    CLAIMED,
    /** The node is not joined (left, or someone else claimed it). */
    GONE
  }

  /** A claim's outcome and, for {@link ClaimOutcome#CLAIMED}, the users the dead node held. */
  record Claim(ClaimOutcome outcome, List<String> users) {}

  /** Registers the receiver of messages and connection events; called once, before anything else. */
  void open(Events events);

  /** Makes the scripts available and subscribes to the presence channel(s). Idempotent. */
  CompletableFuture<Void> prepare();

  /**
   * Takes the lease, replaces this node's user set with {@code users} and announces the
   * replacement; also lists this node in the directory.
   *
   * @param lastSeq the highest sequence number this node has had from the store, so that the new
   *     one is higher even if the store lost this node's keys
   * @return the new sequence number
   */
  CompletableFuture<Long> join(Collection<String> users, long lastSeq, long millis);

  /**
   * Adds ({@code online}) or removes a user from this node's set and announces it.
   *
   * @return the new sequence number, or -1 if this node is not joined (it was reaped)
   */
  CompletableFuture<Long> transition(boolean online, String user, long lastSeq, long millis);

  /**
   * Writes this node's rich-presence records of some users (and, if the batch carries one, adds
   * or removes the user of a node-level transition) and announces them as one message.
   *
   * @return the new sequence number, or -1 if this node is not joined (it was reaped)
   */
  CompletableFuture<Long> records(RichCodec.Batch batch, long lastSeq, long millis);

  /**
   * Announces a routed change ({@link Message#DIRECTIVE} or {@link Message#FORGET}) in this
   * node's sequence; nothing is stored.
   *
   * @return the new sequence number, or -1 if this node is not joined (it was reaped)
   */
  CompletableFuture<Long> announce(char op, String payload, long lastSeq, long millis);

  /**
   * Renews this node's lease and lists it in the directory again.
   *
   * @return false if the node is not joined (it was reaped and must rejoin)
   */
  CompletableFuture<Boolean> renew();

  /** Returns the node directory (a snapshot). */
  CompletableFuture<Set<String>> listedNodes();

  /** Claims {@code node} if its lease expired; at most one caller ever gets CLAIMED. */
  CompletableFuture<Claim> claim(String node, long millis);

  /** Removes {@code node} from the directory. */
  CompletableFuture<Void> unlist(String node);

  /** Leaves gracefully: removes this node's keys, announces the departure and unlists it. */
  CompletableFuture<Void> leave(long millis);

  /** Reads a node's joined flag, sequence number and users atomically. */
  CompletableFuture<Snapshot> snapshot(String node);

  /** Closes connections (and the client, when owned). Idempotent; never throws. */
  @Override
  void close();
}
