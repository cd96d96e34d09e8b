package dev.presence.spring.boot;

import com.mongodb.client.MongoClient;
import dev.presence.Audience;
import dev.presence.LastSeenStore;
import dev.presence.PresenceRegistry;
import dev.presence.StatusBroadcaster;
import dev.presence.Subscription;
import dev.presence.micrometer.MonitoredLastSeenStore;
import dev.presence.micrometer.PresenceMeters;
import dev.presence.mongo.MongoLastSeenStore;
import dev.presence.spring.SpringWebSocketPresence;
import dev.presence.spring.stomp.StompPresence;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.messaging.simp.SimpMessageSendingOperations;

/**
 * Auto-configuration of presence from the {@code presence.*} properties
 * ({@link PresenceProperties}). Every bean backs off when the application defines its own
 * ({@code @ConditionalOnMissingBean}):
 *
 * <ul>
 *   <li>{@link PresenceRegistry}: clustered over Redis when presence-redis is present and
 *       {@code presence.redis.uri} is set ({@link PresenceRedisAutoConfiguration}), else
 *       single-node; closed on shutdown, which ends every
 *       session and flushes pending last-seen writes;
 *   <li>a MongoDB {@link LastSeenStore} when presence-mongo is present, the application has a
 *       {@code MongoClient} bean and sets {@code presence.mongo.database} (written behind, never
 *       on a connection thread);
 *   <li>{@link SpringWebSocketPresence} for raw {@code WebSocketHandler}s (the application
 *       registers {@code presence.decorate(handler)});
 *   <li>{@link StompPresence} when the application has a STOMP broker;
 *   <li>status messages to the {@link Audience} when the application defines one;
 *   <li>{@link PresenceMeters} when Micrometer is present, and the "presence" health indicator
 *       when Actuator is.
 * </ul>
 *
 * <p>Thread-safe beans only.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.autoconfigure.mongo.MongoAutoConfiguration",
    "org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration"})
@EnableConfigurationProperties(PresenceProperties.class)
@Import({PresenceAutoConfiguration.MongoStoreConfiguration.class,
    PresenceAutoConfiguration.LocalRegistryConfiguration.class,
    PresenceAutoConfiguration.WebSocketConfiguration.class,
    PresenceAutoConfiguration.StompConfiguration.class,
    PresenceAutoConfiguration.MetricsConfiguration.class,
    PresenceAutoConfiguration.Boot4HealthConfiguration.class,
    PresenceAutoConfiguration.Boot3HealthConfiguration.class})
public class PresenceAutoConfiguration {

  /** Creates the auto-configuration; Spring does. */
  public PresenceAutoConfiguration() {}

  /**
   * Sends {@code user_status_changed} messages to the application's {@link Audience}.
   *
   * @param registry the registry
   * @param audience who hears about whom
   * @return the subscription, closed on shutdown
   */
  @Bean
  @ConditionalOnBean(Audience.class)
  @ConditionalOnMissingBean(name = "presenceStatusBroadcaster")
  public Subscription presenceStatusBroadcaster(PresenceRegistry registry, Audience audience) {
    return StatusBroadcaster.install(registry, audience);
  }

  /** The lease TTL (default 15 s, the clustered registry's): a node out of sync that long is DOWN. */
  static Duration clusterThreshold(PresenceProperties p) {
    if (p.getHealth().getClusterStalenessThreshold() != null) {
      return p.getHealth().getClusterStalenessThreshold();
    }
    return p.getRedis().getLeaseTtl() != null ? p.getRedis().getLeaseTtl() : Duration.ofSeconds(15);
  }

  static PresenceRegistry.Builder localBuilder(PresenceProperties p, LastSeenStore store) {
    PresenceRegistry.Builder b = PresenceRegistry.builder();
    if (p.isHeartbeatEnabled()) {
      b.heartbeatInterval(p.getHeartbeatInterval());
      if (p.getHeartbeatTimeout() != null) {
        b.heartbeatTimeout(p.getHeartbeatTimeout());
      }
    } else {
      b.withoutHeartbeat();
    }
    b.offlineGrace(p.getOfflineGrace());
    if (p.getMaxSessionsPerUser() != null) {
      b.maxSessionsPerUser(p.getMaxSessionsPerUser());
    }
    if (p.getMaxSessions() != null) {
      b.maxSessions(p.getMaxSessions());
    }
    if (p.getMaxPendingEvents() != null) {
      b.maxPendingEvents(p.getMaxPendingEvents());
    }
    b.clientChangeLimit(p.getClientChangeLimit().getPermits(), p.getClientChangeLimit().getPer());
    if (store != null) {
      b.lastSeenStore(store);
    }
    return b;
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({MongoClient.class, MongoLastSeenStore.class})
  @ConditionalOnBean(MongoClient.class)
  @ConditionalOnProperty(prefix = "presence.mongo", name = "database")
  static class MongoStoreConfiguration {
    @Bean
    @ConditionalOnMissingBean(LastSeenStore.class)
    MonitoredLastSeenStore presenceLastSeenStore(MongoClient client, PresenceProperties p) {
      PresenceProperties.Mongo m = p.getMongo();
      MongoLastSeenStore mongo = MongoLastSeenStore.builder(client.getDatabase(m.getDatabase()))
          .collectionName(m.getCollection()).idField(m.getIdField()).field(m.getField())
          .upsert(m.isUpsert()).build();
      return MonitoredLastSeenStore.of(mongo);
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class LocalRegistryConfiguration {
    @Bean
    @ConditionalOnMissingBean(PresenceRegistry.class)
    PresenceRegistry presenceRegistry(PresenceProperties p, ObjectProvider<LastSeenStore> store) {
      return localBuilder(p, store.getIfUnique()).build();
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.web.socket.WebSocketHandler")
  static class WebSocketConfiguration {
    @Bean
    @ConditionalOnMissingBean
    SpringWebSocketPresence springWebSocketPresence(PresenceRegistry registry, PresenceProperties p) {
      PresenceProperties.WebSocket w = p.getWebsocket();
      return SpringWebSocketPresence.builder(registry).pingStyle(w.getPingStyle())
          .sendTimeLimit(w.getSendTimeLimit()).sendBufferSizeLimit(w.getSendBufferSizeLimit())
          .ioThreads(w.getIoThreads()).build();
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"org.springframework.messaging.simp.SimpMessageSendingOperations",
      "org.springframework.web.socket.messaging.SessionConnectedEvent"})
  @ConditionalOnBean(SimpMessageSendingOperations.class)
  @ConditionalOnProperty(prefix = "presence.stomp", name = "enabled", matchIfMissing = true)
  static class StompConfiguration {
    @Bean
    @ConditionalOnMissingBean
    StompPresence stompPresence(PresenceRegistry registry, PresenceProperties p,
        ObjectProvider<SimpMessageSendingOperations> messaging) {
      return StompPresence.create(registry, messaging::getObject, p.getStomp().getDestination(),
          p.getStomp().getInboundDestination());
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
  static class MetricsConfiguration {
    @Bean
    @ConditionalOnMissingBean
    PresenceMeters presenceMeters(PresenceRegistry registry,
        ObjectProvider<SpringWebSocketPresence> websocket,
        ObjectProvider<StompPresence> stomp,
        ObjectProvider<MonitoredLastSeenStore> monitored) {
      PresenceMeters.Builder b = PresenceMeters.builder(registry);
      SpringWebSocketPresence ws = websocket.getIfUnique();
      StompPresence st = stomp.getIfUnique();
      if (ws != null || st != null) {
        b.sessionsRefused(() -> (ws == null ? 0 : ws.refusedCount()) + (st == null ? 0 : st.refusedCount()));
        b.messagesSent(() -> (ws == null ? 0 : ws.sentCount()) + (st == null ? 0 : st.sentCount()));
      }
      monitored.ifUnique(b::monitoredStore);
      return b.build();
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  @ConditionalOnProperty(prefix = "presence.health", name = "enabled", matchIfMissing = true)
  static class Boot4HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "presenceHealthIndicator")
    Boot4PresenceHealthIndicator presenceHealthIndicator(PresenceRegistry registry,
        PresenceProperties p, ObjectProvider<MonitoredLastSeenStore> stores) {
      return new Boot4PresenceHealthIndicator(new PresenceHealthCheck(registry,
          stores.orderedStream().toList(), p.getHealth().getStoreFailureThreshold(), Clock.systemUTC(),
          PresenceHealthCheck.clusterCheck(registry, clusterThreshold(p))));
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
  @ConditionalOnProperty(prefix = "presence.health", name = "enabled", matchIfMissing = true)
  static class Boot3HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "presenceHealthIndicator")
    Boot3PresenceHealthIndicator presenceHealthIndicator(PresenceRegistry registry,
        PresenceProperties p, ObjectProvider<MonitoredLastSeenStore> stores) {
      return new Boot3PresenceHealthIndicator(new PresenceHealthCheck(registry,
          stores.orderedStream().toList(), p.getHealth().getStoreFailureThreshold(), Clock.systemUTC(),
          PresenceHealthCheck.clusterCheck(registry, clusterThreshold(p))));
    }
  }
}
