package dev.presence.spring.boot;

import dev.presence.spring.PingStyle;
import java.time.Duration;
import java.util.Objects;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code presence.*} properties. Every setter validates its value and names the property in
 * its message (Spring Boot then fails startup with it); settings that conflict are reported
 * once all are bound. Not thread-safe: bound once at startup, read afterwards.
 */
@ConfigurationProperties(prefix = "presence")
public class PresenceProperties implements InitializingBean {

  /** How often every session is pinged and checked. */
  private Duration heartbeatInterval = Duration.ofSeconds(30);

  /**
   * How long a session may show no sign of life (pong, message) before it is evicted. Default
   * twice the heartbeat interval; must be longer than it.
   */
  private Duration heartbeatTimeout;

  /** Whether the heartbeat runs; turn it off only if the transport detects dead peers itself. */
  private boolean heartbeatEnabled = true;

  /**
   * How long the offline transition waits after a user's last session ends; a reconnect within it
   * fires nothing (page reloads, flaky mobile networks).
   */
  private Duration offlineGrace = Duration.ZERO;

  /** Most live sessions one user may have on this node; a connect beyond it is refused. Default 64. */
  private Integer maxSessionsPerUser;

  /** Most live sessions on this node, all users together; a connect beyond it is refused. */
  private Integer maxSessions;

  /**
   * Most transitions queued for slow listeners before an offline and the next online of the same
   * user cancel out. Default 10000.
   */
  private Integer maxPendingEvents;

  private final ClientChangeLimit clientChangeLimit = new ClientChangeLimit();
  private final WebSocket websocket = new WebSocket();
  private final Stomp stomp = new Stomp();
  private final Mongo mongo = new Mongo();
  private final Redis redis = new Redis();
  private final Health health = new Health();

  public Duration getHeartbeatInterval() {
    return heartbeatInterval;
  }

  public void setHeartbeatInterval(Duration heartbeatInterval) {
    this.heartbeatInterval = positive("presence.heartbeat-interval", heartbeatInterval);
  }

  public Duration getHeartbeatTimeout() {
    return heartbeatTimeout;
  }

  public void setHeartbeatTimeout(Duration heartbeatTimeout) {
    this.heartbeatTimeout = positive("presence.heartbeat-timeout", heartbeatTimeout);
  }

  public boolean isHeartbeatEnabled() {
    return heartbeatEnabled;
  }

  public void setHeartbeatEnabled(boolean heartbeatEnabled) {
    this.heartbeatEnabled = heartbeatEnabled;
  }

  public Duration getOfflineGrace() {
    return offlineGrace;
  }

  public void setOfflineGrace(Duration offlineGrace) {
    this.offlineGrace = notNegative("presence.offline-grace", offlineGrace);
  }

  public Integer getMaxSessionsPerUser() {
    return maxSessionsPerUser;
  }

  public void setMaxSessionsPerUser(Integer maxSessionsPerUser) {
    this.maxSessionsPerUser = positive("presence.max-sessions-per-user", maxSessionsPerUser);
  }

  public Integer getMaxSessions() {
    return maxSessions;
  }

  public void setMaxSessions(Integer maxSessions) {
    this.maxSessions = positive("presence.max-sessions", maxSessions);
  }

  public Integer getMaxPendingEvents() {
    return maxPendingEvents;
  }

  public void setMaxPendingEvents(Integer maxPendingEvents) {
    this.maxPendingEvents = positive("presence.max-pending-events", maxPendingEvents);
  }

  public ClientChangeLimit getClientChangeLimit() {
    return clientChangeLimit;
  }

  public WebSocket getWebsocket() {
    return websocket;
  }

  public Stomp getStomp() {
    return stomp;
  }

  public Mongo getMongo() {
    return mongo;
  }

  public Redis getRedis() {
    return redis;
  }

  public Health getHealth() {
    return health;
  }

  /**
   * Checks the settings that depend on each other.
   *
   * @throws IllegalStateException naming the properties in conflict
   */
  @Override
  public void afterPropertiesSet() {
    if (heartbeatEnabled && heartbeatTimeout != null
        && heartbeatTimeout.compareTo(heartbeatInterval) <= 0) {
      throw new IllegalStateException("presence.heartbeat-timeout (" + heartbeatTimeout
          + ") must be longer than presence.heartbeat-interval (" + heartbeatInterval + ")");
    }
    if (redis.leaseRenewalInterval != null && redis.leaseTtl != null
        && redis.leaseRenewalInterval.compareTo(redis.leaseTtl) >= 0) {
      throw new IllegalStateException("presence.redis.lease-renewal-interval ("
          + redis.leaseRenewalInterval + ") must be shorter than presence.redis.lease-ttl ("
          + redis.leaseTtl + ")");
    }
  }

  /** Raw WebSocket ({@code WebSocketHandler}) settings. */
  public static class WebSocket {
    /** How heartbeat pings are sent: FRAME (ping frames), JSON ({"type":"ping"}) or BOTH. */
    private PingStyle pingStyle = PingStyle.BOTH;

    /** How long one write to a client may take before it is ended as a slow consumer. */
    private Duration sendTimeLimit = Duration.ofSeconds(10);

    /** How many characters may wait for one client before it is ended as a slow consumer. */
    private int sendBufferSizeLimit = 524288;

    /** Threads that write presence messages, pings and closes (started on demand). */
    private int ioThreads = 4;

    public PingStyle getPingStyle() {
      return pingStyle;
    }

    public void setPingStyle(PingStyle pingStyle) {
      this.pingStyle = Objects.requireNonNull(pingStyle, "presence.websocket.ping-style");
    }

    public Duration getSendTimeLimit() {
      return sendTimeLimit;
    }

    public void setSendTimeLimit(Duration sendTimeLimit) {
      positive("presence.websocket.send-time-limit", sendTimeLimit);
      if (sendTimeLimit.toMillis() < 1) {
        throw new IllegalArgumentException(
            "presence.websocket.send-time-limit must be at least 1 ms: " + sendTimeLimit);
      }
      this.sendTimeLimit = sendTimeLimit;
    }

    public int getSendBufferSizeLimit() {
      return sendBufferSizeLimit;
    }

    public void setSendBufferSizeLimit(int sendBufferSizeLimit) {
      this.sendBufferSizeLimit = (int) positive("presence.websocket.send-buffer-size-limit", sendBufferSizeLimit);
    }

    public int getIoThreads() {
      return ioThreads;
    }

    public void setIoThreads(int ioThreads) {
      this.ioThreads = (int) positive("presence.websocket.io-threads", ioThreads);
    }
  }

  /**
   * How many set_status / set_metadata messages one session's client may send: permits at once,
   * then permits per period (PresenceRegistry.Builder.clientChangeLimit). More are answered with
   * an error and change nothing.
   */
  public static class ClientChangeLimit {
    /** Changes a session's client may ask for at once, and per period. Default 5. */
    private Integer permits = 5;

    /** The period of the limit; at most 24h. Default 10s. */
    private Duration per = Duration.ofSeconds(10);

    public Integer getPermits() {
      return permits;
    }

    public void setPermits(Integer permits) {
      this.permits = positive("presence.client-change-limit.permits", permits);
    }

    public Duration getPer() {
      return per;
    }

    public void setPer(Duration per) {
      positive("presence.client-change-limit.per", per);
      if (per.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException("presence.client-change-limit.per must be at most PT24H: " + per);
      }
      this.per = per;
    }
  }

  /** STOMP ({@code @EnableWebSocketMessageBroker}) settings. */
  public static class Stomp {
    /** Whether STOMP sessions are tracked when the application has a STOMP broker. */
    private boolean enabled = true;

    /**
     * The user destination status messages are sent to; clients subscribe to it prefixed with
     * the user destination prefix (/user/queue/presence).
     */
    private String destination = "/queue/presence";

    /**
     * Where clients SEND their presence messages (activity, set_status, set_metadata); frames
     * sent there are applied by presence and reach nothing else.
     */
    private String inboundDestination = "/app/presence";

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getDestination() {
      return destination;
    }

    public void setDestination(String destination) {
      if (destination == null || !destination.startsWith("/")) {
        throw new IllegalArgumentException(
            "presence.stomp.destination must start with '/': '" + destination + "'");
      }
      this.destination = destination;
    }

    public String getInboundDestination() {
      return inboundDestination;
    }

    public void setInboundDestination(String inboundDestination) {
      if (inboundDestination == null || !inboundDestination.startsWith("/")) {
        throw new IllegalArgumentException(
            "presence.stomp.inbound-destination must start with '/': '" + inboundDestination + "'");
      }
      this.inboundDestination = inboundDestination;
    }
  }

  /** MongoDB last-seen store: used when the application has a MongoClient and sets a database. */
  public static class Mongo {
    /** Database of the users collection; setting it turns the MongoDB last-seen store on. */
    private String database;

    /** Collection holding one document per user. */
    private String collection = "users";

    /** Field of the user id. */
    private String idField = "_id";

    /** Field the last-seen time is written to. */
    private String field = "last_online";

    /** Whether a last-seen write creates a missing user document. */
    private boolean upsert = false;

    public String getDatabase() {
      return database;
    }

    public void setDatabase(String database) {
      this.database = notBlank("presence.mongo.database", database);
    }

    public String getCollection() {
      return collection;
    }

    public void setCollection(String collection) {
      this.collection = notBlank("presence.mongo.collection", collection);
    }

    public String getIdField() {
      return idField;
    }

    public void setIdField(String idField) {
      this.idField = notBlank("presence.mongo.id-field", idField);
    }

    public String getField() {
      return field;
    }

    public void setField(String field) {
      this.field = notBlank("presence.mongo.field", field);
    }

    public boolean isUpsert() {
      return upsert;
    }

    public void setUpsert(boolean upsert) {
      this.upsert = upsert;
    }
  }

  /** Cluster-wide presence over Redis: used when presence-redis is present and a URI is set. */
  public static class Redis {
    /** Redis URI, e.g. redis://localhost:6379; setting it turns the clustered registry on. */
    private String uri;

    /** Prefix of every Redis key and channel. */
    private String keyPrefix;

    /** Identifier of this node; default a random one. */
    private String nodeId;

    /** How long this node's users stay online in the cluster after it stops renewing its lease. */
    private Duration leaseTtl;

    /** How often the lease is renewed; shorter than the lease TTL. */
    private Duration leaseRenewalInterval;

    /** Timeout of one Redis command. */
    private Duration commandTimeout;

    public String getUri() {
      return uri;
    }

    public void setUri(String uri) {
      this.uri = notBlank("presence.redis.uri", uri);
    }

    public String getKeyPrefix() {
      return keyPrefix;
    }

    public void setKeyPrefix(String keyPrefix) {
      this.keyPrefix = notBlank("presence.redis.key-prefix", keyPrefix);
    }

    public String getNodeId() {
      return nodeId;
    }

    public void setNodeId(String nodeId) {
      this.nodeId = notBlank("presence.redis.node-id", nodeId);
    }

    public Duration getLeaseTtl() {
      return leaseTtl;
    }

    public void setLeaseTtl(Duration leaseTtl) {
      this.leaseTtl = positive("presence.redis.lease-ttl", leaseTtl);
    }

    public Duration getLeaseRenewalInterval() {
      return leaseRenewalInterval;
    }

    public void setLeaseRenewalInterval(Duration leaseRenewalInterval) {
      this.leaseRenewalInterval = positive("presence.redis.lease-renewal-interval", leaseRenewalInterval);
    }

    public Duration getCommandTimeout() {
      return commandTimeout;
    }

    public void setCommandTimeout(Duration commandTimeout) {
      this.commandTimeout = positive("presence.redis.command-timeout", commandTimeout);
    }
  }

  /** The Actuator health indicator ("presence"). */
  public static class Health {
    /** Whether the presence health indicator is registered (when Actuator is present). */
    private boolean enabled = true;

    /** How long last-seen writes may keep failing before health turns DOWN. */
    private Duration storeFailureThreshold = Duration.ofSeconds(30);

    /**
     * How long a clustered registry may be out of sync with Redis before health turns DOWN.
     * Default the lease TTL (presence.redis.lease-ttl, 15 s unless set).
     */
    private Duration clusterStalenessThreshold;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public Duration getClusterStalenessThreshold() {
      return clusterStalenessThreshold;
    }

    public void setClusterStalenessThreshold(Duration clusterStalenessThreshold) {
      this.clusterStalenessThreshold = notNegative("presence.health.cluster-staleness-threshold",
          clusterStalenessThreshold);
    }

    public Duration getStoreFailureThreshold() {
      return storeFailureThreshold;
    }

    public void setStoreFailureThreshold(Duration storeFailureThreshold) {
      this.storeFailureThreshold = notNegative("presence.health.store-failure-threshold",
          storeFailureThreshold);
    }
  }

  static Duration positive(String name, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
    return value;
  }

  static Duration notNegative(String name, Duration value) {
    if (value == null || value.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative: " + value);
    }
    return value;
  }

  static Integer positive(String name, Integer value) {
    if (value == null || value <= 0) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
    return value;
  }

  static String notBlank(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank: '" + value + "'");
    }
    return value.strip();
  }
}
