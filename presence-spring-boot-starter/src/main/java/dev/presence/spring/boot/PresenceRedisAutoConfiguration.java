package dev.presence.spring.boot;

import dev.presence.LastSeenStore;
import dev.presence.PresenceRegistry;
import dev.presence.redis.ClusteredPresenceRegistry;
import dev.presence.redis.ClusteredPresenceRegistryBuilder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The clustered {@link PresenceRegistry} ({@link ClusteredPresenceRegistry}, presence-redis) when
 * {@code presence.redis.uri} is set. Runs before {@link PresenceAutoConfiguration}, whose
 * single-node registry then backs off. Thread-safe beans only.
 */
@AutoConfiguration(before = PresenceAutoConfiguration.class)
@ConditionalOnClass(ClusteredPresenceRegistry.class)
@ConditionalOnProperty(prefix = "presence.redis", name = "uri")
@EnableConfigurationProperties(PresenceProperties.class)
public class PresenceRedisAutoConfiguration {

  /** Creates the auto-configuration; Spring does. */
  public PresenceRedisAutoConfiguration() {}

  /**
   * The clustered registry.
   *
   * @param p the properties
   * @param store the last-seen store, if the application has one
   * @return the registry, closed on shutdown
   */
  @Bean
  @ConditionalOnMissingBean(PresenceRegistry.class)
  public PresenceRegistry presenceRegistry(PresenceProperties p, ObjectProvider<LastSeenStore> store) {
    PresenceProperties.Redis r = p.getRedis();
    ClusteredPresenceRegistryBuilder b = ClusteredPresenceRegistry.builder()
        .redisUri(r.getUri()).local(PresenceAutoConfiguration.localBuilder(p, store.getIfUnique()));
    if (r.getKeyPrefix() != null) {
      b.keyPrefix(r.getKeyPrefix());
    }
    if (r.getNodeId() != null) {
      b.nodeId(r.getNodeId());
    }
    if (r.getLeaseTtl() != null) {
      b.leaseTtl(r.getLeaseTtl());
    }
    if (r.getLeaseRenewalInterval() != null) {
      b.leaseRenewalInterval(r.getLeaseRenewalInterval());
    }
    if (r.getCommandTimeout() != null) {
      b.commandTimeout(r.getCommandTimeout());
    }
    return b.build();
  }
}
