package dev.presence.redis;

import dev.presence.ClientMessage;
import dev.presence.PresenceRegistry;
import dev.presence.UserPresence;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.resource.ClientResources;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;

/** The parts {@link ClusteredPresenceRegistry#start} wires together: transport, threads, local view. */
final class ClusterStartup {
  private ClusterStartup() {}

  /** The local registry as the node's sync sees it. */
  static LocalSync.Local localView(PresenceRegistry local) {
    return new LocalSync.Local() {
      @Override
      public Optional<UserPresence> presenceOf(String user) {
        return local.presenceOf(user);
      }

      @Override
      public boolean isOnline(String user) {
        return local.isOnline(user);
      }

      @Override
      public boolean setStatus(String user, ClientMessage.SetStatus change) {
        return local.setStatus(user, change);
      }

      @Override
      public void forget(List<String> users) {
        local.forget(users);
      }
    };
  }

  /** Connects the transport the builder chose: a given or owned Redis or Redis Cluster client. */
  static ClusterTransport connect(ClusteredPresenceRegistryBuilder b, String nodeId) {
    if (b.clusterClient != null) {
      return RedisClusterConnections.connect(b.clusterClient, null, nodeId, b.keyPrefix,
          b.leaseTtl, b.commandTimeout);
    }
    if (b.clusterSeeds != null) {
      ClientResources resources = RedisTransport.ownedResources();
      RedisClusterClient client = RedisClusterClient.create(resources, b.clusterSeeds);
      client.setOptions(RedisClusterConnections.ownedOptions(b.commandTimeout,
          b.renewalInterval));
      return RedisClusterConnections.connect(client, resources, nodeId, b.keyPrefix, b.leaseTtl,
          b.commandTimeout);
    }
    if (b.client != null) {
      return RedisTransport.standalone(b.client, null, nodeId, b.keyPrefix, b.leaseTtl,
          b.commandTimeout);
    }
    ClientResources resources = RedisTransport.ownedResources();
    RedisClient client = RedisClient.create(resources, b.uri);
    client.setOptions(RedisTransport.ownedOptions(b.commandTimeout));
    return RedisTransport.standalone(client, resources, nodeId, b.keyPrefix, b.leaseTtl,
        b.commandTimeout);
  }

  static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
