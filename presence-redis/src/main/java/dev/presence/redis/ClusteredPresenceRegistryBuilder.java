package dev.presence.redis;

import dev.presence.PresenceRegistry;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Builds a {@link ClusteredPresenceRegistry}; get one from
 * {@link ClusteredPresenceRegistry#builder()}. Every setter validates its value at once;
 * conflicting or missing settings are reported by {@link #build()}. Not thread-safe.
 */
public final class ClusteredPresenceRegistryBuilder {
  RedisURI uri;
  RedisClient client;
  List<RedisURI> clusterSeeds;
  RedisClusterClient clusterClient;
  String nodeId;
  String keyPrefix = "presence";
  Duration leaseTtl = Duration.ofSeconds(15);
  Duration renewalInterval = Duration.ofSeconds(5);
  Duration commandTimeout = Duration.ofSeconds(2);
  Duration startupTimeout = Duration.ofSeconds(10);
  PresenceRegistry.Builder localBuilder;
  PresenceRegistry localRegistry;
  Clock clock = Clock.systemUTC();
  Executor eventExecutor;

  ClusteredPresenceRegistryBuilder() {}

  /**
   * Sets the Redis server to use; the registry then creates, configures and shuts down its
   * own client (commands fail fast while disconnected, reconnects back off up to 1 s).
   *
   * @param uri a Redis URI such as {@code redis://127.0.0.1:6379}
   * @return this builder
   * @throws NullPointerException if {@code uri} is null
   * @throws IllegalArgumentException if {@code uri} is not a valid Redis URI
   */
  public ClusteredPresenceRegistryBuilder redisUri(String uri) {
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
  public ClusteredPresenceRegistryBuilder redisUri(RedisURI uri) {
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
  public ClusteredPresenceRegistryBuilder redisClient(RedisClient client) {
    this.client = Objects.requireNonNull(client, "redisClient");
    return this;
  }

  /**
   * Uses a Redis Cluster (Redis 7 or later), given one or more of its nodes as seeds; the
   * registry then creates, configures and shuts down its own cluster client (commands fail fast
   * while disconnected, the topology is refreshed every lease renewal interval and on
   * redirections). Keys are hash-tagged so that every script touches one slot, and transitions
   * travel on sharded channels ({@code SPUBLISH}/{@code SSUBSCRIBE}).
   *
   * @param seedUris URIs such as {@code redis://10.0.0.1:7000}; one reachable node is enough
   * @return this builder
   * @throws NullPointerException if {@code seedUris} or one of them is null
   * @throws IllegalArgumentException if none is given or one is not a valid Redis URI
   */
  public ClusteredPresenceRegistryBuilder redisCluster(String... seedUris) {
    Objects.requireNonNull(seedUris, "redisCluster");
    if (seedUris.length == 0) {
      throw new IllegalArgumentException("redisCluster needs at least one seed URI");
    }
    List<RedisURI> parsed = new ArrayList<>();
    for (String seed : seedUris) {
      Objects.requireNonNull(seed, "redisCluster seed");
      try {
        parsed.add(RedisURI.create(seed));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("redisCluster seed is not a valid Redis URI: " + seed,
            e);
      }
    }
    this.clusterSeeds = List.copyOf(parsed);
    return this;
  }

  /**
   * Uses a Redis Cluster client owned by the host (its options are left as they are: enable
   * topology refresh, or failovers are noticed late; it is not shut down by
   * {@link ClusteredPresenceRegistry#close()}).
   *
   * @param client the cluster client
   * @return this builder
   * @throws NullPointerException if {@code client} is null
   */
  public ClusteredPresenceRegistryBuilder redisClusterClient(RedisClusterClient client) {
    this.clusterClient = Objects.requireNonNull(client, "redisClusterClient");
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
  public ClusteredPresenceRegistryBuilder nodeId(String nodeId) {
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
  public ClusteredPresenceRegistryBuilder keyPrefix(String keyPrefix) {
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
  public ClusteredPresenceRegistryBuilder leaseTtl(Duration ttl) {
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
  public ClusteredPresenceRegistryBuilder leaseRenewalInterval(Duration interval) {
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
  public ClusteredPresenceRegistryBuilder commandTimeout(Duration timeout) {
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
  public ClusteredPresenceRegistryBuilder startupTimeout(Duration timeout) {
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
  public ClusteredPresenceRegistryBuilder local(PresenceRegistry.Builder local) {
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
  public ClusteredPresenceRegistryBuilder localRegistry(PresenceRegistry local) {
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
  public ClusteredPresenceRegistryBuilder clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /**
   * Sets the executor that delivers cluster events to listeners. Delivery is serial (one task at
   * a time), so listeners see every user's events in order whatever the executor; it never runs
   * on a Redis I/O thread or on the thread that keeps the replica, so a slow listener delays
   * only event delivery. Default: one daemon thread per registry, stopped by
   * {@link ClusteredPresenceRegistry#close()}; a host-supplied executor is left running.
   *
   * @param executor the executor; must not run tasks on the calling thread
   * @return this builder
   * @throws NullPointerException if {@code executor} is null
   */
  public ClusteredPresenceRegistryBuilder eventExecutor(Executor executor) {
    this.eventExecutor = Objects.requireNonNull(executor, "eventExecutor");
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
    List<String> targets = new ArrayList<>();
    if (uri != null) {
      targets.add("redisUri");
    }
    if (client != null) {
      targets.add("redisClient");
    }
    if (clusterSeeds != null) {
      targets.add("redisCluster");
    }
    if (clusterClient != null) {
      targets.add("redisClusterClient");
    }
    if (targets.isEmpty()) {
      throw new IllegalStateException(
          "redisUri, redisClient, redisCluster or redisClusterClient must be set");
    }
    if (targets.size() > 1) {
      throw new IllegalStateException(String.join(" and ", targets)
          + " are both set; choose one");
    }
    if (localBuilder != null && localRegistry != null) {
      throw new IllegalStateException("local and localRegistry are both set; choose one");
    }
    if (renewalInterval.compareTo(leaseTtl) >= 0) {
      throw new IllegalStateException("leaseRenewalInterval (" + renewalInterval
          + ") must be shorter than leaseTtl (" + leaseTtl + ")");
    }
    return ClusteredPresenceRegistry.start(this);
  }

  private static String token(String name, String value, String forbidden) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank: '" + value + "'");
    }
    for (int i = 0; i < forbidden.length(); i++) {
      char c = forbidden.charAt(i);
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
