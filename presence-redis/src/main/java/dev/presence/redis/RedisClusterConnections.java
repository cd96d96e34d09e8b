package dev.presence.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions.RefreshTrigger;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.RedisClusterPubSubAdapter;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis Cluster flavour of {@link RedisTransport}'s connections: commands go through
 * Lettuce's cluster connection (routed by the slot of their first key; every script's keys share
 * one slot), and the sharded channels are subscribed on the master that owns each channel's slot
 * ({@code SSUBSCRIBE} on that node's pub/sub connection).
 *
 * <p>A sharded subscription lives on one master: when that master fails over, or a slot moves,
 * the subscription is gone and messages published meanwhile are lost. So the transport checks,
 * at every lease renewal, whether each channel's slot still belongs to the node it subscribed
 * on (Lettuce refreshes the topology periodically and on redirections), and reports a change as
 * a reconnect: the node then resubscribes where the slots are now and reloads every node, as
 * after any reconnect. A node pub/sub connection that drops and comes back is reported the same
 * way; commands that fail during a failover make the node recover by themselves. Thread-safe.
 */
final class RedisClusterConnections implements RedisTransport.Connections {
  private static final Logger LOG = LoggerFactory.getLogger(RedisClusterConnections.class);
  /** Sharded channel groups: enough to spread the publishing load over the masters. */
  static final int SHARDS = 16;

  private final RedisClusterClient client;
  private final ClientResources ownedResources;
  private final StatefulRedisClusterConnection<String, String> connection;
  private final StatefulRedisClusterPubSubConnection<String, String> pubSub;
  private final RedisTransport.EventsHolder events;
  /** channel -> id of the master it is subscribed on. */
  private final Map<String, String> subscribedOn = new ConcurrentHashMap<>();
  /** Node pub/sub connections already watched for disconnects and reconnects. */
  private final Set<StatefulRedisPubSubConnection<String, String>> watched =
      ConcurrentHashMap.newKeySet();

  private RedisClusterConnections(RedisClusterClient client, ClientResources ownedResources,
      StatefulRedisClusterConnection<String, String> connection,
      StatefulRedisClusterPubSubConnection<String, String> pubSub,
      RedisTransport.EventsHolder events) {
    this.client = client;
    this.ownedResources = ownedResources;
    this.connection = connection;
    this.pubSub = pubSub;
    this.events = events;
  }

  /**
   * Connects to a Redis Cluster and returns a transport over it.
   *
   * @param client the cluster client; shut down on close if {@code ownedResources} is not null
   * @throws IllegalStateException if the cluster cannot be reached
   */
  static RedisTransport connect(RedisClusterClient client, ClientResources ownedResources,
      String nodeId, String keyPrefix, Duration leaseTtl, Duration commandTimeout) {
    RedisTransport.EventsHolder events = new RedisTransport.EventsHolder();
    StatefulRedisClusterConnection<String, String> c = null;
    StatefulRedisClusterPubSubConnection<String, String> p = null;
    try {
      c = client.connect();
      c.setTimeout(commandTimeout);
      p = client.connectPubSub();
      p.setTimeout(commandTimeout);
    } catch (RuntimeException e) {
      RedisTransport.closeQuietly(c, p);
      shutdown(client, ownedResources);
      throw new IllegalStateException("could not connect to the Redis Cluster: " + e.getMessage(),
          e);
    }
    p.setNodeMessagePropagation(true);
    p.addListener(new RedisClusterPubSubAdapter<>() {
      @Override
      public void smessage(RedisClusterNode node, String channel, String message) {
        events.message(message);
      }
    });
    RedisClusterConnections connections = new RedisClusterConnections(client, ownedResources, c,
        p, events);
    return RedisTransport.over(connections, events, nodeId, Keys.sharded(keyPrefix, SHARDS),
        leaseTtl);
  }

  /** Options for a cluster client this registry owns: fail fast, follow the topology. */
  static ClusterClientOptions ownedOptions(Duration commandTimeout, Duration refreshPeriod) {
    return ClusterClientOptions.builder()
        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
            .enablePeriodicRefresh(refreshPeriod)
            .enableAdaptiveRefreshTrigger(RefreshTrigger.MOVED_REDIRECT,
                RefreshTrigger.ASK_REDIRECT, RefreshTrigger.PERSISTENT_RECONNECTS,
                RefreshTrigger.UNCOVERED_SLOT, RefreshTrigger.UNKNOWN_NODE)
            .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
            .build())
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
        .build();
  }

  @Override
  public RedisClusterAsyncCommands<String, String> commands() {
    return connection.async();
  }

  @Override
  public boolean preloadScripts() {
    return false;
  }

  @Override
  public CompletableFuture<Void> subscribe(List<String> channels) {
    Map<String, List<String>> byMaster = new LinkedHashMap<>();
    for (String channel : channels) {
      RedisClusterNode master = pubSub.getPartitions().getMasterBySlot(SlotHash.getSlot(channel));
      if (master == null) {
        return CompletableFuture.failedFuture(new IllegalStateException(
            "no master serves the slot of " + channel + " (cluster not ready?)"));
      }
      byMaster.computeIfAbsent(master.getNodeId(), k -> new ArrayList<>()).add(channel);
    }
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : byMaster.entrySet()) {
      String master = e.getKey();
      String[] mine = e.getValue().toArray(new String[0]);
      all.add(pubSub.getConnectionAsync(master)
          .thenCompose(node -> {
            if (watched.add(node)) {
              // a dropped node connection loses the messages published until it is back
              node.addListener(events.stateListener());
            }
            // one SSUBSCRIBE per channel: channels of one command must share a slot
            CompletableFuture<?>[] each = new CompletableFuture<?>[mine.length];
            for (int i = 0; i < mine.length; i++) {
              each[i] = node.async().ssubscribe(mine[i]).toCompletableFuture();
            }
            return CompletableFuture.allOf(each);
          })
          .thenRun(() -> {
            for (String channel : mine) {
              subscribedOn.put(channel, master);
            }
          }));
    }
    return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]));
  }

  /**
   * Reports a reconnect if a channel's slot moved to another master since it was subscribed
   * (a failover, a resharding): the subscription there is gone.
   */
  @Override
  public void checkSubscriptions() {
    Map<String, String> now = new HashMap<>(subscribedOn);
    for (Map.Entry<String, String> e : now.entrySet()) {
      RedisClusterNode master = pubSub.getPartitions().getMasterBySlot(
          SlotHash.getSlot(e.getKey()));
      if (master == null || !Objects.equals(master.getNodeId(), e.getValue())) {
        LOG.info("Sharded channel {} moved from node {} to {}: resubscribing", e.getKey(),
            e.getValue(), master == null ? "none" : master.getNodeId());
        subscribedOn.clear();
        events.connectionRestored();
        return;
      }
    }
  }

  @Override
  public void close() {
    RedisTransport.closeQuietly(connection, pubSub);
    shutdown(client, ownedResources);
  }

  @SuppressWarnings("FutureReturnValueIgnored") // Netty's future; its module is not read here
  private static void shutdown(RedisClusterClient client, ClientResources resources) {
    if (resources != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      resources.shutdown(0, 2, TimeUnit.SECONDS); // in the background: nothing waits on it
    }
  }
}
