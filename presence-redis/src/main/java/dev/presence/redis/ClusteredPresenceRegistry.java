package dev.presence.redis;

import dev.presence.LastSeenStore;
import dev.presence.Outbound;
import dev.presence.PresenceEvent;
import dev.presence.PresenceListener;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import dev.presence.Subscription;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PresenceRegistry} for one node of a cluster: sessions live in a local registry on
 * this node, while {@link #isOnline} and the listeners reflect every node, shared through Redis.
 *
 * <p>A user is online in the cluster while at least one node holds a live session of theirs.
 * Each node publishes only its <em>node-level</em> transitions (the user's first session on this
 * node, the last one gone): one Redis round trip per such transition, none per heartbeat and none
 * per lookup. Every node keeps an in-memory replica of which nodes hold which users, so lookups
 * stay local hash lookups, and listeners see <em>cluster</em> transitions: online when the first
 * node gets the user, offline when the last node drops them; per user in order, strictly
 * alternating, each once. {@link #sessionCount}, {@link #totalSessionCount} and
 * {@link #sendToUser} concern this node's sessions only; installing a
 * {@link dev.presence.StatusBroadcaster} on every node's clustered registry therefore reaches
 * every session in the cluster exactly once.
 *
 * <p>Nodes that stop renewing their lease (crash, partition) are reaped by the survivors: one of
 * them claims the dead node atomically and its users go offline everywhere. While Redis is
 * unreachable, local presence keeps working and nothing blocks; afterwards the node republishes
 * its users and reloads the others'. See {@code docs/clustering.md} for the protocol.
 *
 * <p>Thread-safe: every method may be called from any thread. Listeners run on this registry's
 * event thread, one at a time, and must be quick and must not block.
 */
public final class ClusteredPresenceRegistry implements PresenceRegistry {
  /*
   * Design.
   *
   * Concurrency: all replica state (this node's users, the views of the other nodes, the flags of
   * the recovery state machine) is owned by one single-threaded executor, the "loop". Local
   * transitions, channel messages, Redis replies and timers all hop onto it, so the replica is
   * updated by one thread in one order and cluster events come out in that order without locks.
   * Lookups ask the local registry first (so this node reads its own writes at once) and then
   * `remoteCount` (user -> number of other nodes holding them), a ConcurrentHashMap written only
   * by the loop; `clusterCount` (this node included) decides the cluster events.
   *
   * Ordering: every node publishes through Lua scripts that bump a per-node sequence number in
   * the same atomic step as the set update and the PUBLISH; a node issues them in order on one
   * connection. A receiver applies node N's messages only in sequence: an older one is a
   * duplicate and dropped, a gap or a 'replaced' notice makes it reload N's set (SNAPSHOT returns
   * the set and its sequence atomically) while buffering what arrives meanwhile, then apply the
   * buffered messages newer than the snapshot. Subscribing before loading closes the gap at start.
   *
   * Failure: commands fail fast while disconnected (REJECT_COMMANDS when we own the client) and
   * any failure marks the node unhealthy: it stops publishing single transitions and the loop
   * recovers (load scripts, subscribe, JOIN with the full local set, reload every node) on
   * reconnect or on the next tick. A node seen in no Redis key at all after a resync (Redis lost
   * its data) keeps its users for one lease TTL, which is how long it has to rejoin, so a Redis
   * restart produces no spurious offline.
   */
  private static final Logger LOG = LoggerFactory.getLogger(ClusteredPresenceRegistry.class);

  private static final int TRANSITION = 0;
  private static final int JOIN = 1;
  private static final int RENEW = 2;
  private static final int CLAIM = 3;
  private static final int LEAVE = 4;
  private static final int SNAPSHOT = 5;
  private static final String[] SCRIPTS = {Scripts.TRANSITION, Scripts.JOIN, Scripts.RENEW,
      Scripts.CLAIM, Scripts.LEAVE, Scripts.SNAPSHOT};
  private static final String[] SHAS = sha1All(SCRIPTS);

  private final PresenceRegistry local;
  private final String nodeId;
  private final Keys keys;
  private final String[] ownKeys;
  private final Duration leaseTtl;
  private final Duration renewalInterval;
  private final Duration commandTimeout;
  private final Clock clock;
  private final RedisClient client;
  private final boolean ownsClient;
  private final ClientResources ownedResources;
  private final StatefulRedisConnection<String, String> connection;
  private final StatefulRedisPubSubConnection<String, String> pubSub;
  private final RedisAsyncCommands<String, String> redis;
  private final ScheduledExecutorService loop;
  private final Subscription localSubscription;
  private final CopyOnWriteArrayList<PresenceListener> listeners = new CopyOnWriteArrayList<>();
  /** user -> how many nodes (this one included) hold them; written by the loop only. */
  private final ConcurrentHashMap<String, Integer> clusterCount = new ConcurrentHashMap<>();
  /** user -> how many other nodes hold them; written by the loop only. */
  private final ConcurrentHashMap<String, Integer> remoteCount = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CompletableFuture<Void> firstSync = new CompletableFuture<>();
  private final Counters counters = new Counters();

  // ------------------------------------------------ loop-thread state
  private final Set<String> own = new HashSet<>();
  private final Map<String, NodeView> views = new HashMap<>();
  private boolean healthy;
  private boolean recovering;
  private boolean needsRecover;
  private boolean stopped;
  private ScheduledFuture<?> tick;

  private ClusteredPresenceRegistry(Builder b) {
    this.nodeId = b.nodeId != null ? b.nodeId : UUID.randomUUID().toString();
    this.keys = new Keys(b.keyPrefix);
    this.ownKeys = keys.of(nodeId);
    this.leaseTtl = b.leaseTtl;
    this.renewalInterval = b.renewalInterval;
    this.commandTimeout = b.commandTimeout;
    this.clock = b.clock;
    this.local = b.localRegistry != null ? b.localRegistry
        : (b.localBuilder != null ? b.localBuilder : PresenceRegistry.builder()).build();
    this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "presence-redis-" + nodeId);
      t.setDaemon(true);
      return t;
    });
    if (b.client != null) {
      this.client = b.client;
      this.ownsClient = false;
      this.ownedResources = null;
    } else {
      this.ownedResources = ClientResources.builder().ioThreadPoolSize(2)
          .computationThreadPoolSize(2)
          .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2,
              TimeUnit.MILLISECONDS))
          .build();
      this.client = RedisClient.create(ownedResources, b.uri);
      // Fail fast while disconnected instead of queueing: the rejoin after a reconnect carries
      // the full local state, so a replay of stale queued transitions would only add noise.
      client.setOptions(ClientOptions.builder()
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
          .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
          .build());
      this.ownsClient = true;
    }
    StatefulRedisConnection<String, String> c = null;
    StatefulRedisPubSubConnection<String, String> p = null;
    try {
      c = client.connect();
      c.setTimeout(commandTimeout);
      p = client.connectPubSub();
      p.setTimeout(commandTimeout);
    } catch (RuntimeException e) {
      closeQuietly(c, p);
      shutdownClient();
      loop.shutdownNow();
      local.close();
      throw new IllegalStateException("could not connect to Redis: " + e.getMessage(), e);
    }
    this.connection = c;
    this.pubSub = p;
    this.redis = c.async();
    p.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String channel, String message) {
        submit(() -> onMessage(message));
      }
    });
    RedisConnectionStateListener stateListener = new RedisConnectionStateListener() {
      @Override
      public void onRedisConnected(RedisChannelHandler<?, ?> h, SocketAddress address) {
        submit(ClusteredPresenceRegistry.this::reconnected);
      }

      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> h) {
        submit(ClusteredPresenceRegistry.this::broken);
      }
    };
    c.addListener(stateListener);
    p.addListener(stateListener);
    this.localSubscription = local.addListener(e -> submit(() -> onLocal(e)));
    submit(() -> {
      // A local registry handed in may already hold users; the listener above sees the rest.
      Instant now = clock.instant();
      for (String user : local.onlineUsers()) {
        if (own.add(user)) {
          increment(user, now, false);
        }
      }
      long every = renewalInterval.toNanos();
      tick = loop.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.NANOSECONDS);
      recover();
    });
    try {
      firstSync.get(b.startupTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      close();
      throw new IllegalStateException("could not join the cluster through Redis within "
          + b.startupTimeout, e);
    }
  }

  /**
   * Returns a builder. Either {@link Builder#redisUri} or {@link Builder#redisClient} must be set.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns this node's id, unique in the cluster.
   *
   * @return the node id
   */
  public String nodeId() {
    return nodeId;
  }

  // ================================================================ PresenceRegistry

  /**
   * Registers a live session on this node, exactly as the local registry does; if it is the
   * user's first on this node, the other nodes are told (asynchronously: the caller never waits
   * on Redis).
   *
   * @param userId the authenticated user; non-blank
   * @param sessionId the connection id, unique among this user's live sessions on this node
   * @param outbound how to reach this connection; must not block
   * @return the session handle
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code userId} or {@code sessionId} is blank
   * @throws IllegalStateException if the registry is closed
   */
  @Override
  public PresenceSession connect(String userId, String sessionId, Outbound outbound) {
    return local.connect(userId, sessionId, outbound);
  }

  /**
   * Returns whether the user is online anywhere in the cluster: two hash lookups, no I/O. This
   * node's own sessions count at once (read your writes); another node's from the moment its
   * announcement reached this node.
   *
   * @param userId the user; null or unknown ids are simply offline
   * @return true if some node holds the user
   */
  @Override
  public boolean isOnline(String userId) {
    return userId != null && (local.isOnline(userId) || remoteCount.containsKey(userId));
  }

  /**
   * Returns which of the given users are online anywhere in the cluster, from memory.
   *
   * @param userIds the users to check; null elements are ignored
   * @return a new mutable set (a snapshot)
   * @throws NullPointerException if {@code userIds} is null
   */
  @Override
  public Set<String> onlineAmong(Collection<String> userIds) {
    Objects.requireNonNull(userIds, "userIds");
    Set<String> out = new HashSet<>();
    for (String id : userIds) {
      if (isOnline(id)) {
        out.add(id);
      }
    }
    return out;
  }

  /**
   * Returns the number of live sessions of one user on this node.
   *
   * @param userId the user
   * @return the count on this node; sessions on other nodes are not counted
   */
  @Override
  public int sessionCount(String userId) {
    return local.sessionCount(userId);
  }

  /**
   * Returns how many users are online in the cluster, as this node's replica knows them.
   *
   * @return the count at the moment of the call
   */
  @Override
  public int onlineUserCount() {
    return clusterCount.size();
  }

  /**
   * Returns how many sessions are live on this node.
   *
   * @return the count at the moment of the call
   */
  @Override
  public int totalSessionCount() {
    return local.totalSessionCount();
  }

  /**
   * Returns the users online anywhere in the cluster.
   *
   * @return a new immutable set (a snapshot)
   */
  @Override
  public Set<String> onlineUsers() {
    Set<String> out = new HashSet<>(remoteCount.keySet());
    out.addAll(local.onlineUsers());
    return Set.copyOf(out);
  }

  /**
   * Sends {@code text} to the user's live sessions on this node; other nodes reach theirs.
   *
   * @param userId the user
   * @param text the message
   * @return how many sessions on this node it was handed to
   * @throws NullPointerException if {@code text} is null
   */
  @Override
  public int sendToUser(String userId, String text) {
    return local.sendToUser(userId, text);
  }

  /**
   * Adds a listener of cluster transitions. They are delivered on this registry's event thread:
   * per user in order, strictly alternating, each once.
   *
   * @param listener the listener
   * @return a subscription whose {@code close()} removes the listener
   * @throws NullPointerException if {@code listener} is null
   */
  @Override
  public Subscription addListener(PresenceListener listener) {
    Objects.requireNonNull(listener, "listener");
    PresenceListener entry = listener::onTransition;
    listeners.add(entry);
    return () -> listeners.remove(entry);
  }

  /**
   * Returns the local registry's last-seen store. Each node records the moment a user left it;
   * the store keeps the latest time ({@code $max}), which is the cluster-wide last seen.
   *
   * @return the store, or empty
   */
  @Override
  public Optional<LastSeenStore> lastSeenStore() {
    return local.lastSeenStore();
  }

  /**
   * Leaves the cluster gracefully: closes the local registry (its users go offline, on other
   * nodes too unless they hold them), removes this node's keys, then closes the Redis
   * connections (and the client, if this registry created it). Waits at most the command
   * timeout for Redis. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    local.close();
    localSubscription.close();
    CompletableFuture<Void> left = new CompletableFuture<>();
    try {
      loop.execute(() -> leave(left));
      left.get(commandTimeout.toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.debug("Node {} left without a goodbye to Redis", nodeId, e);
    }
    loop.shutdown();
    closeQuietly(connection, pubSub);
    shutdownClient();
  }

  @Override
  public String toString() {
    return "ClusteredPresenceRegistry(node=" + nodeId + ", online=" + clusterCount.size()
        + ", localSessions=" + local.totalSessionCount() + ")";
  }

  // ================================================================ test and measurement hooks

  /** Dies without a goodbye: no more renewals, connections dropped, nothing removed in Redis. */
  void crash() {
    closed.set(true);
    CompletableFuture<Void> stoppedFuture = new CompletableFuture<>();
    try {
      loop.execute(() -> {
        stopped = true;
        if (tick != null) {
          tick.cancel(false);
        }
        stoppedFuture.complete(null);
      });
      stoppedFuture.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    localSubscription.close();
    loop.shutdownNow();
    closeQuietly(connection, pubSub);
    shutdownClient();
    local.close();
  }

  /** Counts of what this node sent to Redis, for the measurement. */
  Counters counters() {
    return counters;
  }

  /** Returns the replica's view: user -> nodes holding them; runs on the loop. */
  Map<String, Set<String>> replicaForTest() {
    CompletableFuture<Map<String, Set<String>>> f = new CompletableFuture<>();
    loop.execute(() -> {
      Map<String, Set<String>> m = new HashMap<>();
      for (String u : own) {
        m.computeIfAbsent(u, k -> new HashSet<>()).add(nodeId);
      }
      for (NodeView v : views.values()) {
        for (String u : v.users) {
          m.computeIfAbsent(u, k -> new HashSet<>()).add(v.node);
        }
      }
      f.complete(m);
    });
    return f.join();
  }

  /** Whether the node is joined and publishing, as the loop sees it. */
  boolean isHealthyForTest() {
    CompletableFuture<Boolean> f = new CompletableFuture<>();
    loop.execute(() -> f.complete(healthy && !recovering && !needsRecover));
    return f.join();
  }

  /** What the node did, for tests and the measurement. Thread-safe. */
  static final class Counters {
    final AtomicLong transitionsPublished = new AtomicLong();
    final AtomicLong recoveries = new AtomicLong();
    final AtomicLong snapshotsLoaded = new AtomicLong();
  }

  // ================================================================ loop: local transitions

  private void onLocal(PresenceEvent e) {
    String user = e.userId();
    if (e.online()) {
      if (own.add(user)) {
        increment(user, e.at(), false);
        publish(Message.ONLINE, user, e.at());
      }
    } else if (own.remove(user)) {
      decrement(user, e.at(), false);
      publish(Message.OFFLINE, user, e.at());
    }
  }

  private void publish(char op, String user, Instant at) {
    if (!healthy || stopped) {
      return; // the next JOIN carries the full local set
    }
    counters.transitionsPublished.incrementAndGet();
    redis.<Long>evalsha(SHAS[TRANSITION], ScriptOutputType.INTEGER, ownKeys,
            String.valueOf(op), user, keys.channel, nodeId, String.valueOf(at.toEpochMilli()))
        .whenComplete((seq, ex) -> {
          if (ex != null) {
            LOG.debug("Node {} could not publish {}{}", nodeId, op, user, ex);
            submit(this::broken);
          } else if (seq < 0) {
            submit(this::rejoinNow); // reaped while we were away: our set is gone
          }
        });
  }

  // ================================================================ loop: recovery and lease

  private void broken() {
    healthy = false;
    needsRecover = true;
  }

  private void reconnected() {
    broken();
    if (!recovering) {
      recover();
    }
  }

  private void rejoinNow() {
    LOG.info("Node {} was reaped by the cluster; rejoining", nodeId);
    reconnected();
  }

  /** Load scripts, subscribe, JOIN with the full local set, reload every other node. */
  private void recover() {
    if (recovering || stopped) {
      return;
    }
    recovering = true;
    needsRecover = false;
    healthy = false;
    counters.recoveries.incrementAndGet();
    CompletableFuture<Void> loaded;
    try {
      CompletableFuture<?>[] loads = new CompletableFuture<?>[SCRIPTS.length];
      for (int i = 0; i < SCRIPTS.length; i++) {
        loads[i] = redis.scriptLoad(SCRIPTS[i]).toCompletableFuture();
      }
      loaded = CompletableFuture.allOf(loads);
    } catch (RuntimeException e) { // a client that throws instead of failing the future
      loaded = CompletableFuture.failedFuture(e);
    }
    loaded
        .thenCompose(x -> pubSub.async().subscribe(keys.channel).toCompletableFuture())
        .thenComposeAsync(x -> join(), loop)
        .thenComposeAsync(x -> resyncAll(), loop)
        // a host-supplied client may queue commands while disconnected instead of failing them
        .orTimeout(commandTimeout.toMillis() * 3, TimeUnit.MILLISECONDS)
        .whenCompleteAsync((x, ex) -> {
          recovering = false;
          if (ex != null) {
            LOG.debug("Node {} could not resync with Redis yet", nodeId, ex);
            broken();
          } else if (needsRecover) {
            recover(); // a reconnect raced with this round
          } else {
            firstSync.complete(null);
          }
        }, loop);
  }

  private CompletableFuture<Void> join() {
    if (stopped) {
      return CompletableFuture.completedFuture(null);
    }
    String[] args = new String[4 + own.size()];
    args[0] = String.valueOf(leaseTtl.toMillis());
    args[1] = keys.channel;
    args[2] = nodeId;
    args[3] = String.valueOf(clock.millis());
    int i = 4;
    for (String u : own) {
      args[i++] = u;
    }
    // Healthy from the moment the JOIN is queued: later transitions go out after it on the same
    // connection, so Redis sees them in this node's order.
    healthy = true;
    CompletableFuture<Object> joined = redis.evalsha(SHAS[JOIN], ScriptOutputType.INTEGER,
        ownKeys, args).toCompletableFuture();
    CompletableFuture<Long> listed = redis.sadd(keys.nodes, nodeId).toCompletableFuture();
    return joined.thenCombine(listed, (a, b) -> null);
  }

  private CompletableFuture<Void> resyncAll() {
    return redis.smembers(keys.nodes).toCompletableFuture().thenComposeAsync(listed -> {
      Set<String> all = new HashSet<>(listed);
      all.addAll(views.keySet());
      all.remove(nodeId);
      List<CompletableFuture<Void>> loads = new ArrayList<>();
      for (String node : all) {
        NodeView v = views.computeIfAbsent(node, NodeView::new);
        v.synced = false; // messages may have been missed: buffer until the snapshot is in
        loads.add(load(v));
      }
      return CompletableFuture.allOf(loads.toArray(new CompletableFuture<?>[0]));
    }, loop);
  }

  private void tick() {
    try {
      renewAndReap();
    } catch (RuntimeException e) { // never let the repeating task die
      LOG.warn("Lease round of node {} failed", nodeId, e);
      broken();
    }
  }

  private void renewAndReap() {
    if (stopped) {
      return;
    }
    if (needsRecover) {
      if (!recovering) {
        recover();
      }
      return;
    }
    if (!healthy) {
      return;
    }
    redis.<Long>evalsha(SHAS[RENEW], ScriptOutputType.INTEGER, ownKeys,
            String.valueOf(leaseTtl.toMillis()))
        .whenComplete((ok, ex) -> {
          if (ex != null) {
            submit(this::broken);
          } else if (ok == 0) {
            submit(this::rejoinNow);
          }
        });
    redis.sadd(keys.nodes, nodeId); // heals a racing reaper's SREM within one interval
    reap();
  }

  /** Claims every listed node whose lease expired; Redis lets exactly one claimer win. */
  private void reap() {
    redis.smembers(keys.nodes).whenComplete((nodes, ex) -> {
      if (ex != null) {
        return;
      }
      String now = String.valueOf(clock.millis());
      for (String node : nodes) {
        if (node.equals(nodeId)) {
          continue;
        }
        redis.<List<Object>>evalsha(SHAS[CLAIM], ScriptOutputType.MULTI, keys.of(node),
            keys.channel, node, now).whenComplete((r, e) -> {
              long outcome = e != null ? 0 : (Long) r.get(0);
              if (outcome == 1) {
                reaped(node, (List<?>) r.get(1));
              }
              if (outcome != 0) {
                redis.srem(keys.nodes, node);
              }
            });
      }
    });
  }

  /**
   * This node won the claim of a dead node, so it alone records its users' last seen: the dead
   * node never did, and doing it once keeps the store's traffic per user at one write.
   */
  private void reaped(String node, List<?> users) {
    LOG.info("Node {} reaped node {} (lease expired) and its {} users", nodeId, node,
        users.size());
    Optional<LastSeenStore> store = local.lastSeenStore();
    if (store.isPresent() && !users.isEmpty()) {
      Instant now = clock.instant();
      Map<String, Instant> seen = new HashMap<>();
      for (Object u : users) {
        seen.put((String) u, now);
      }
      try {
        store.get().recordAll(seen); // the registry's store never blocks (write-behind)
      } catch (RuntimeException ex) {
        LOG.warn("Could not queue the last-seen times of node {}'s users", node, ex);
      }
    }
  }

  private void leave(CompletableFuture<Void> done) {
    stopped = true;
    if (tick != null) {
      tick.cancel(false);
    }
    if (!healthy) {
      done.complete(null);
      return;
    }
    healthy = false;
    redis.evalsha(SHAS[LEAVE], ScriptOutputType.INTEGER, ownKeys, keys.channel, nodeId,
            String.valueOf(clock.millis()))
        .thenCompose(x -> redis.srem(keys.nodes, nodeId))
        .whenComplete((x, ex) -> done.complete(null));
  }

  // ================================================================ loop: other nodes

  private void onMessage(String raw) {
    if (stopped) {
      return;
    }
    Message m = Message.parse(raw);
    if (m == null) {
      LOG.warn("Ignoring a malformed presence message: {}", raw);
      return;
    }
    if (m.node().equals(nodeId)) {
      if (m.op() == Message.DEPARTED && healthy) {
        rejoinNow(); // reaped (a long pause?) although alive
      }
      return;
    }
    accept(views.computeIfAbsent(m.node(), NodeView::new), m);
  }

  private void accept(NodeView v, Message m) {
    if (!v.synced) {
      v.buffer.add(m);
      if (!v.loading) {
        load(v);
      }
      return;
    }
    if (m.seq() <= v.seq) {
      return; // already reflected
    }
    if (m.op() == Message.REPLACED || m.seq() != v.seq + 1) {
      v.synced = false;
      v.buffer.add(m);
      load(v);
      return;
    }
    v.seq = m.seq();
    Instant at = Instant.ofEpochMilli(m.millis());
    switch (m.op()) {
      case Message.ONLINE -> {
        if (v.users.add(m.user())) {
          increment(m.user(), at, true);
        }
      }
      case Message.OFFLINE -> {
        if (v.users.remove(m.user())) {
          decrement(m.user(), at, true);
        }
      }
      default -> { // DEPARTED
        v.joined = false;
        replaceUsers(v, Set.of(), at);
        retireIfIdle(v);
      }
    }
  }

  private CompletableFuture<Void> load(NodeView v) {
    v.loading = true;
    long generation = ++v.loadGeneration;
    CompletableFuture<Void> done = new CompletableFuture<>();
    redis.<List<Object>>evalsha(SHAS[SNAPSHOT], ScriptOutputType.MULTI, keys.of(v.node))
        .whenCompleteAsync((res, ex) -> {
          try {
            if (generation == v.loadGeneration) {
              onSnapshot(v, res, ex);
            }
            if (ex != null) {
              done.completeExceptionally(ex);
            } else {
              done.complete(null);
            }
          } catch (RuntimeException e) {
            done.completeExceptionally(e);
            throw e;
          }
        }, loop);
    return done;
  }

  @SuppressWarnings("unchecked")
  private void onSnapshot(NodeView v, List<Object> res, Throwable ex) {
    v.loading = false;
    if (ex != null) {
      broken(); // stays unsynced and buffering; the recovery reloads it
      return;
    }
    counters.snapshotsLoaded.incrementAndGet();
    boolean joined = ((Long) res.get(0)) == 1L;
    long seq = (Long) res.get(1);
    List<Object> members = (List<Object>) res.get(2);
    Instant now = clock.instant();
    if (joined || seq > 0) {
      cancelOrphanTimer(v);
      Set<String> users = new HashSet<>();
      if (joined) {
        for (Object o : members) {
          users.add((String) o);
        }
      }
      v.joined = joined;
      replaceUsers(v, users, now);
      v.seq = seq;
    } else {
      // Redis knows nothing of this node: it lost its data (a restart). A live node rejoins
      // within its renewal interval of reconnecting; give it one lease TTL before believing it
      // is gone, so that a Redis restart does not take every remote user offline.
      v.seq = 0;
      v.joined = false;
      if (!v.users.isEmpty() && v.orphanTimer == null) {
        v.orphanTimer = loop.schedule(() -> orphanExpired(v), leaseTtl.toNanos(),
            TimeUnit.NANOSECONDS);
      }
    }
    v.synced = true;
    ArrayDeque<Message> buffered = v.buffer;
    v.buffer = new ArrayDeque<>();
    for (Message m : buffered) {
      accept(v, m);
    }
    retireIfIdle(v);
  }

  private void orphanExpired(NodeView v) {
    v.orphanTimer = null;
    if (views.get(v.node) != v || v.joined || stopped) {
      return;
    }
    LOG.info("Node {} did not rejoin within {}: its users are gone", v.node, leaseTtl);
    replaceUsers(v, Set.of(), clock.instant());
    retireIfIdle(v);
  }

  private void cancelOrphanTimer(NodeView v) {
    if (v.orphanTimer != null) {
      v.orphanTimer.cancel(false);
      v.orphanTimer = null;
    }
  }

  /** Forgets a node that left and holds nobody; a late message would simply reload it. */
  private void retireIfIdle(NodeView v) {
    if (v.synced && !v.joined && !v.loading && v.users.isEmpty() && v.buffer.isEmpty()
        && v.orphanTimer == null) {
      views.remove(v.node, v);
    }
  }

  private void replaceUsers(NodeView v, Set<String> next, Instant at) {
    for (var it = v.users.iterator(); it.hasNext(); ) {
      String u = it.next();
      if (!next.contains(u)) {
        it.remove();
        decrement(u, at, true);
      }
    }
    for (String u : next) {
      if (v.users.add(u)) {
        increment(u, at, true);
      }
    }
  }

  // ================================================================ loop: cluster transitions

  private void increment(String user, Instant at, boolean remote) {
    if (remote) {
      remoteCount.merge(user, 1, Integer::sum);
    }
    Integer n = clusterCount.get(user);
    if (n == null) {
      clusterCount.put(user, 1);
      fire(new PresenceEvent(user, true, at));
    } else {
      clusterCount.put(user, n + 1);
    }
  }

  private void decrement(String user, Instant at, boolean remote) {
    if (remote) {
      remoteCount.computeIfPresent(user, (k, c) -> c == 1 ? null : c - 1);
    }
    Integer n = clusterCount.get(user);
    if (n == null) {
      throw new AssertionError("replica count missing for " + user);
    }
    if (n == 1) {
      clusterCount.remove(user);
      fire(new PresenceEvent(user, false, at));
    } else {
      clusterCount.put(user, n - 1);
    }
  }

  private void fire(PresenceEvent event) {
    for (PresenceListener l : listeners) {
      try {
        l.onTransition(event);
      } catch (RuntimeException | Error ex) {
        LOG.warn("Presence listener {} failed on {}", l, event, ex);
      }
    }
  }

  // ================================================================ plumbing

  private void submit(Runnable task) {
    try {
      loop.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException | Error e) {
          LOG.error("Presence cluster task failed on node {}", nodeId, e);
        }
      });
    } catch (RejectedExecutionException e) {
      // closing: late replies and events have nowhere to go
    }
  }

  private static void closeQuietly(AutoCloseable... cs) {
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

  private void shutdownClient() {
    if (ownsClient) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      ownedResources.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }

  private static String[] sha1All(String[] scripts) {
    try {
      String[] out = new String[scripts.length];
      for (int i = 0; i < scripts.length; i++) {
        MessageDigest md = MessageDigest.getInstance("SHA-1");
        out[i] = HexFormat.of().formatHex(md.digest(scripts[i].getBytes(StandardCharsets.UTF_8)));
      }
      return out;
    } catch (NoSuchAlgorithmException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** What this node knows of another. Loop-thread only. */
  private static final class NodeView {
    final String node;
    final Set<String> users = new HashSet<>();
    long seq;
    boolean joined = true;
    boolean synced;
    boolean loading;
    long loadGeneration;
    ArrayDeque<Message> buffer = new ArrayDeque<>();
    ScheduledFuture<?> orphanTimer;

    NodeView(String node) {
      this.node = node;
    }
  }

  // ================================================================ builder

  /**
   * Builds a {@link ClusteredPresenceRegistry}. Every setter validates its value at once;
   * conflicting or missing settings are reported by {@link #build()}. Not thread-safe.
   */
  public static final class Builder {
    private RedisURI uri;
    private RedisClient client;
    private String nodeId;
    private String keyPrefix = "presence";
    private Duration leaseTtl = Duration.ofSeconds(15);
    private Duration renewalInterval = Duration.ofSeconds(5);
    private Duration commandTimeout = Duration.ofSeconds(2);
    private Duration startupTimeout = Duration.ofSeconds(10);
    private PresenceRegistry.Builder localBuilder;
    private PresenceRegistry localRegistry;
    private Clock clock = Clock.systemUTC();

    Builder() {}

    /**
     * Sets the Redis server to use; the registry then creates, configures and shuts down its
     * own client (commands fail fast while disconnected, reconnects back off up to 1 s).
     *
     * @param uri a Redis URI such as {@code redis://127.0.0.1:6379}
     * @return this builder
     * @throws NullPointerException if {@code uri} is null
     * @throws IllegalArgumentException if {@code uri} is not a valid Redis URI
     */
    public Builder redisUri(String uri) {
      Objects.requireNonNull(uri, "redisUri");
      try {
        this.uri = RedisURI.create(uri);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("redisUri is not a valid Redis URI: " + uri, e);
      }
      return this;
    }

    /**
     * Sets the Redis server to use, as a Lettuce {@link RedisURI}.
     *
     * @param uri the URI
     * @return this builder
     * @throws NullPointerException if {@code uri} is null
     */
    public Builder redisUri(RedisURI uri) {
      this.uri = Objects.requireNonNull(uri, "redisUri");
      return this;
    }

    /**
     * Uses a client owned by the host (its options are left as they are; it is not shut down
     * by {@link ClusteredPresenceRegistry#close()}). The registry opens two connections on it.
     *
     * @param client the client, with a default URI
     * @return this builder
     * @throws NullPointerException if {@code client} is null
     */
    public Builder redisClient(RedisClient client) {
      this.client = Objects.requireNonNull(client, "redisClient");
      return this;
    }

    /**
     * Sets this node's id, which must be unique in the cluster and stable for the life of the
     * process. Default: a random UUID.
     *
     * @param nodeId non-blank, without '|', '{' or '}'
     * @return this builder
     * @throws NullPointerException if {@code nodeId} is null
     * @throws IllegalArgumentException if {@code nodeId} is blank or contains '|', '{' or '}'
     */
    public Builder nodeId(String nodeId) {
      this.nodeId = token("nodeId", nodeId, "|{}");
      return this;
    }

    /**
     * Sets the prefix of every key and of the channel, so that several applications can share a
     * Redis. Default {@code presence}.
     *
     * @param keyPrefix non-blank, without '{' or '}'
     * @return this builder
     * @throws NullPointerException if {@code keyPrefix} is null
     * @throws IllegalArgumentException if {@code keyPrefix} is blank or contains '{' or '}'
     */
    public Builder keyPrefix(String keyPrefix) {
      this.keyPrefix = token("keyPrefix", keyPrefix, "{}");
      return this;
    }

    /**
     * Sets how long this node's lease lives without renewal: after a crash, its users go
     * offline elsewhere between one TTL and one TTL plus one renewal interval later. Default 15 s.
     *
     * @param ttl a positive duration of at least 1 ms
     * @return this builder
     * @throws IllegalArgumentException if {@code ttl} is shorter than 1 ms
     */
    public Builder leaseTtl(Duration ttl) {
      this.leaseTtl = atLeastOneMilli("leaseTtl", ttl);
      return this;
    }

    /**
     * Sets how often the lease is renewed and dead nodes are looked for. Default 5 s; must be
     * shorter than the lease TTL.
     *
     * @param interval a positive duration of at least 1 ms
     * @return this builder
     * @throws IllegalArgumentException if {@code interval} is shorter than 1 ms
     */
    public Builder leaseRenewalInterval(Duration interval) {
      this.renewalInterval = atLeastOneMilli("leaseRenewalInterval", interval);
      return this;
    }

    /**
     * Sets how long a Redis command may take before it counts as failed. Default 2 s. Applies to
     * the two connections this registry opens.
     *
     * @param timeout a positive duration of at least 1 ms
     * @return this builder
     * @throws IllegalArgumentException if {@code timeout} is shorter than 1 ms
     */
    public Builder commandTimeout(Duration timeout) {
      this.commandTimeout = atLeastOneMilli("commandTimeout", timeout);
      return this;
    }

    /**
     * Sets how long {@link #build()} waits to join the cluster. Default 10 s.
     *
     * @param timeout a positive duration of at least 1 ms
     * @return this builder
     * @throws IllegalArgumentException if {@code timeout} is shorter than 1 ms
     */
    public Builder startupTimeout(Duration timeout) {
      this.startupTimeout = atLeastOneMilli("startupTimeout", timeout);
      return this;
    }

    /**
     * Sets how to build this node's local registry (heartbeat, grace, last-seen store...).
     * Default {@code PresenceRegistry.builder()}.
     *
     * @param local the builder of the local registry
     * @return this builder
     * @throws NullPointerException if {@code local} is null
     */
    public Builder local(PresenceRegistry.Builder local) {
      this.localBuilder = Objects.requireNonNull(local, "local");
      return this;
    }

    /**
     * Uses an existing local registry, which must not be a clustered one; it is owned from then
     * on and closed by {@link ClusteredPresenceRegistry#close()}.
     *
     * @param local the single-node registry
     * @return this builder
     * @throws NullPointerException if {@code local} is null
     * @throws IllegalArgumentException if {@code local} is a {@link ClusteredPresenceRegistry}
     */
    public Builder localRegistry(PresenceRegistry local) {
      Objects.requireNonNull(local, "localRegistry");
      if (local instanceof ClusteredPresenceRegistry) {
        throw new IllegalArgumentException(
            "localRegistry must be a single-node registry, not a clustered one: " + local);
      }
      this.localRegistry = local;
      return this;
    }

    /**
     * Sets the wall clock stamping the events this node derives itself (reloads, reaped nodes).
     * Default UTC system clock.
     *
     * @param clock the clock
     * @return this builder
     * @throws NullPointerException if {@code clock} is null
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Connects, joins the cluster and loads its state, waiting at most the startup timeout.
     *
     * @return the registry, in sync with the cluster
     * @throws IllegalStateException if no Redis or both were given, if both a local builder and
     *     a local registry were given, if the renewal interval is not shorter than the lease
     *     TTL, or if Redis could not be reached in time
     */
    public ClusteredPresenceRegistry build() {
      if (uri == null && client == null) {
        throw new IllegalStateException("redisUri or redisClient must be set");
      }
      if (uri != null && client != null) {
        throw new IllegalStateException("redisUri and redisClient are both set; choose one");
      }
      if (localBuilder != null && localRegistry != null) {
        throw new IllegalStateException("local and localRegistry are both set; choose one");
      }
      if (renewalInterval.compareTo(leaseTtl) >= 0) {
        throw new IllegalStateException("leaseRenewalInterval (" + renewalInterval
            + ") must be shorter than leaseTtl (" + leaseTtl + ")");
      }
      return new ClusteredPresenceRegistry(this);
    }

    private static String token(String name, String value, String forbidden) {
      Objects.requireNonNull(value, name);
      if (value.isBlank()) {
        throw new IllegalArgumentException(name + " must not be blank: '" + value + "'");
      }
      for (char c : forbidden.toCharArray()) {
        if (value.indexOf(c) >= 0) {
          throw new IllegalArgumentException(name + " must not contain '" + c + "': " + value);
        }
      }
      return value;
    }

    private static Duration atLeastOneMilli(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.toMillis() < 1) {
        throw new IllegalArgumentException(name + " must be at least 1 ms: " + value);
      }
      return value;
    }
  }
}
