package dev.presence.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ClusterTransport} over Redis with Lettuce: owns the connections (one for commands,
 * one for pub/sub), runs the protocol's scripts by SHA (falling back to the script text when
 * Redis does not know it, e.g. after a restart or a failover), subscribes to the presence
 * channel(s) and reports connection changes. Two flavours share everything but the connections:
 * a standalone Redis ({@code PUBLISH}/{@code SUBSCRIBE}), and a Redis Cluster
 * ({@link RedisClusterConnections}: sharded {@code SPUBLISH}/{@code SSUBSCRIBE}, hash-tagged keys).
 *
 * <p>Thread-safe: Lettuce's connections are; nothing here blocks.
 */
final class RedisTransport implements ClusterTransport {
  private static final Logger LOG = LoggerFactory.getLogger(RedisTransport.class);

  /** The connection-specific part: what differs between a standalone Redis and a cluster. */
  interface Connections {
    /** The command interface (a standalone or a cluster connection's). */
    RedisClusterAsyncCommands<String, String> commands();

    /** Subscribes to {@code channels}, delivering messages to {@code events}. */
    CompletableFuture<Void> subscribe(List<String> channels);

    /**
     * Checks that the subscriptions still live where the channels are served, and reports a
     * reconnect if not. Called at every lease renewal; the default has nothing to check.
     */
    default void checkSubscriptions() {}

    /**
     * Whether to load the scripts up front with SCRIPT LOAD. A cluster client sends SCRIPT LOAD
     * to every node it knows, a failed master included, so there the scripts are left to the
     * EVALSHA-then-EVAL fallback, which loads each one on the master that first needs it.
     */
    default boolean preloadScripts() {
      return true;
    }

    /** Closes the connections and, if owned, the client. Never throws. */
    void close();
  }

  private final String nodeId;
  private final Keys keys;
  private final String[] ownKeys;
  private final String ownChannel;
  private final Duration leaseTtl;
  private final String[] scripts;
  private final String[] shas;
  private final Connections connections;
  private final RedisClusterAsyncCommands<String, String> redis;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final EventsHolder events;

  private RedisTransport(String nodeId, Keys keys, Duration leaseTtl, Connections connections,
      EventsHolder events) {
    this.nodeId = nodeId;
    this.keys = keys;
    this.ownKeys = keys.of(nodeId);
    this.ownChannel = keys.channelOf(nodeId);
    this.leaseTtl = leaseTtl;
    this.scripts = Scripts.publishingWith(keys.isSharded() ? "SPUBLISH" : "PUBLISH");
    this.connections = connections;
    this.redis = connections.commands();
    this.shas = new String[scripts.length];
    for (int i = 0; i < scripts.length; i++) {
      shas[i] = redis.digest(scripts[i]); // Lettuce's SHA-1 hex, as EVALSHA expects
    }
    this.events = events;
  }

  /**
   * A transport over a standalone Redis (or Sentinel-managed one).
   *
   * @param client the client; shut down on close if {@code resources} is not null
   * @param resources the resources created for an owned client, or null for a host's client
   * @throws IllegalStateException if Redis cannot be reached
   */
  static RedisTransport standalone(RedisClient client, ClientResources resources, String nodeId,
      String keyPrefix, Duration leaseTtl, Duration commandTimeout) {
    EventsHolder events = new EventsHolder();
    StatefulRedisConnection<String, String> c = null;
    StatefulRedisPubSubConnection<String, String> p = null;
    try {
      c = client.connect();
      c.setTimeout(commandTimeout);
      p = client.connectPubSub();
      p.setTimeout(commandTimeout);
    } catch (RuntimeException e) {
      closeQuietly(c, p);
      shutdown(client, resources);
      throw new IllegalStateException("could not connect to Redis: " + e.getMessage(), e);
    }
    StatefulRedisConnection<String, String> connection = c;
    StatefulRedisPubSubConnection<String, String> pubSub = p;
    pubSub.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String channel, String message) {
        events.message(message);
      }
    });
    RedisConnectionStateListener state = events.stateListener();
    connection.addListener(state);
    pubSub.addListener(state);
    Connections connections = new Connections() {
      @Override
      public RedisClusterAsyncCommands<String, String> commands() {
        return connection.async();
      }

      @Override
      public CompletableFuture<Void> subscribe(List<String> channels) {
        return pubSub.async().subscribe(channels.toArray(new String[0])).toCompletableFuture();
      }

      @Override
      public void close() {
        closeQuietly(connection, pubSub);
        shutdown(client, resources);
      }
    };
    return new RedisTransport(nodeId, Keys.standalone(keyPrefix), leaseTtl, connections, events);
  }

  /** A transport over connections built elsewhere (the Redis Cluster flavour). */
  static RedisTransport over(Connections connections, EventsHolder events, String nodeId,
      Keys keys, Duration leaseTtl) {
    return new RedisTransport(nodeId, keys, leaseTtl, connections, events);
  }

  /** Client options for a client this registry owns: fail fast while disconnected. */
  static ClientOptions ownedOptions(Duration commandTimeout) {
    // Fail fast while disconnected instead of queueing: the rejoin after a reconnect carries the
    // full local state, so a replay of stale queued transitions would only add noise.
    return ClientOptions.builder()
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
        .build();
  }

  /** Resources for a client this registry owns: two I/O threads, reconnects back off to 1 s. */
  static ClientResources ownedResources() {
    return ClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
        .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2,
            TimeUnit.MILLISECONDS))
        .build();
  }

  // ================================================================ ClusterTransport

  @Override
  public void open(Events receiver) {
    events.set(receiver);
  }

  @Override
  public CompletableFuture<Void> prepare() {
    CompletableFuture<?>[] loads = new CompletableFuture<?>[0];
    if (connections.preloadScripts()) {
      loads = new CompletableFuture<?>[scripts.length];
      for (int i = 0; i < scripts.length; i++) {
        loads[i] = redis.scriptLoad(scripts[i]).toCompletableFuture();
      }
    }
    return CompletableFuture.allOf(loads)
        .thenCompose(x -> connections.subscribe(keys.channels()));
  }

  @Override
  public CompletableFuture<Long> join(Collection<String> users, long lastSeq, long millis) {
    String[] args = new String[5 + users.size()];
    args[0] = String.valueOf(leaseTtl.toMillis());
    args[1] = ownChannel;
    args[2] = nodeId;
    args[3] = String.valueOf(millis);
    args[4] = String.valueOf(lastSeq);
    int i = 5;
    for (String u : users) {
      args[i++] = u;
    }
    CompletableFuture<Long> joined = script(Scripts.JOIN_ID, ScriptOutputType.INTEGER, ownKeys, args);
    CompletableFuture<Long> listed = redis.sadd(keys.nodes, nodeId).toCompletableFuture();
    return joined.thenCombine(listed, (seq, x) -> seq);
  }

  @Override
  public CompletableFuture<Long> transition(boolean online, String user, long lastSeq,
      long millis) {
    return script(Scripts.TRANSITION_ID, ScriptOutputType.INTEGER, ownKeys,
        online ? "+" : "-", user, ownChannel, nodeId, String.valueOf(millis),
        String.valueOf(lastSeq));
  }

  @Override
  public CompletableFuture<Long> records(RichCodec.Batch batch, long lastSeq, long millis) {
    String[] args = new String[7 + 2 * batch.fields().size()];
    args[0] = ownChannel;
    args[1] = nodeId;
    args[2] = String.valueOf(millis);
    args[3] = String.valueOf(lastSeq);
    args[4] = batch.payload();
    args[5] = String.valueOf(batch.transition());
    args[6] = batch.user();
    int i = 7;
    for (Map.Entry<String, String> f : batch.fields().entrySet()) {
      args[i++] = f.getKey();
      args[i++] = f.getValue();
    }
    return script(Scripts.RECORDS_ID, ScriptOutputType.INTEGER, ownKeys, args);
  }

  @Override
  public CompletableFuture<Long> announce(char op, String payload, long lastSeq, long millis) {
    return script(Scripts.ANNOUNCE_ID, ScriptOutputType.INTEGER, ownKeys, String.valueOf(op),
        ownChannel, nodeId, String.valueOf(millis), String.valueOf(lastSeq), payload);
  }

  @Override
  public CompletableFuture<Boolean> renew() {
    connections.checkSubscriptions();
    CompletableFuture<Long> renewed = script(Scripts.RENEW_ID, ScriptOutputType.INTEGER, ownKeys,
        String.valueOf(leaseTtl.toMillis()));
    // heals a racing reaper's SREM within one interval
    CompletableFuture<Long> listed = redis.sadd(keys.nodes, nodeId).toCompletableFuture();
    return renewed.thenCombine(listed, (ok, x) -> ok == 1L);
  }

  @Override
  public CompletableFuture<Set<String>> listedNodes() {
    return redis.smembers(keys.nodes).toCompletableFuture();
  }

  @Override
  public CompletableFuture<Claim> claim(String node, long millis) {
    CompletableFuture<List<Object>> r = script(Scripts.CLAIM_ID, ScriptOutputType.MULTI,
        keys.of(node), keys.channelOf(node), node, String.valueOf(millis));
    return r.thenApply(reply -> {
      long outcome = (Long) reply.get(0);
      if (outcome == 0) {
        return new Claim(ClaimOutcome.ALIVE, List.of());
      }
      if (outcome < 0) {
        return new Claim(ClaimOutcome.GONE, List.of());
      }
      return new Claim(ClaimOutcome.CLAIMED, strings(reply.get(1)));
    });
  }

  @Override
  public CompletableFuture<Void> unlist(String node) {
    return redis.srem(keys.nodes, node).toCompletableFuture().thenApply(x -> null);
  }

  @Override
  public CompletableFuture<Void> leave(long millis) {
    return script(Scripts.LEAVE_ID, ScriptOutputType.INTEGER, ownKeys, ownChannel, nodeId,
            String.valueOf(millis))
        .thenCompose(x -> unlist(nodeId));
  }

  @Override
  public CompletableFuture<Snapshot> snapshot(String node) {
    CompletableFuture<List<Object>> r = script(Scripts.SNAPSHOT_ID, ScriptOutputType.MULTI,
        keys.of(node));
    return r.thenApply(reply -> {
      List<String> flat = reply.size() > 3 ? strings(reply.get(3)) : List.of();
      Map<String, String> records = new HashMap<>();
      for (int i = 0; i + 1 < flat.size(); i += 2) {
        records.put(flat.get(i), flat.get(i + 1));
      }
      return new Snapshot((Long) reply.get(0) == 1L, (Long) reply.get(1),
          Set.copyOf(strings(reply.get(2))), records);
    });
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      connections.close();
    }
  }

  // ================================================================ plumbing

  /** EVALSHA, or EVAL when Redis does not know the script (restart, failover, flush). */
  private <T> CompletableFuture<T> script(int id, ScriptOutputType type, String[] keyArgs,
      String... args) {
    CompletableFuture<T> bySha = redis.<T>evalsha(shas[id], type, keyArgs, args)
        .toCompletableFuture();
    return bySha.exceptionallyCompose(ex -> {
      Throwable cause = ex instanceof CompletionException && ex.getCause() != null
          ? ex.getCause() : ex;
      if (cause instanceof RedisNoScriptException) {
        return redis.<T>eval(scripts[id], type, keyArgs, args).toCompletableFuture();
      }
      return CompletableFuture.failedFuture(cause);
    });
  }

  private static List<String> strings(Object list) {
    List<String> out = new ArrayList<>();
    for (Object o : (List<?>) list) {
      out.add((String) o);
    }
    return out;
  }

  static void closeQuietly(AutoCloseable... cs) {
    for (AutoCloseable c : cs) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          LOG.debug("Closing {} failed", c, e);
        }
      }
    }
  }

  @SuppressWarnings("FutureReturnValueIgnored") // Netty's future; its module is not read here
  private static void shutdown(RedisClient client, ClientResources resources) {
    if (resources != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      resources.shutdown(0, 2, TimeUnit.SECONDS); // in the background: nothing waits on it
    }
  }

  /**
   * Forwards what Lettuce reports to the node's receiver, once it is set (anything earlier is
   * covered by the first recovery). Thread-safe.
   */
  static final class EventsHolder implements Events {
    private volatile Events receiver;

    void set(Events receiver) {
      this.receiver = receiver;
    }

    @Override
    public void message(String raw) {
      Events r = receiver;
      if (r != null) {
        r.message(raw);
      }
    }

    @Override
    public void connectionLost() {
      Events r = receiver;
      if (r != null) {
        r.connectionLost();
      }
    }

    @Override
    public void connectionRestored() {
      Events r = receiver;
      if (r != null) {
        r.connectionRestored();
      }
    }

    RedisConnectionStateListener stateListener() {
      return new RedisConnectionStateListener() {
        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> h, SocketAddress address) {
          connectionRestored();
        }

        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> h) {
          connectionLost();
        }
      };
    }
  }
}
