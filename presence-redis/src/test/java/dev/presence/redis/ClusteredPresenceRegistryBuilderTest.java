package dev.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.awaitility.Awaitility.await;

import dev.presence.test.RedisServer;
import dev.presence.PresenceRegistry;
import dev.presence.test.RecordingOutbound;
import io.lettuce.core.RedisClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClusteredPresenceRegistryBuilderTest {

  @Test
  void badSettings_failAtOnce_namingSettingAndValue() {
    ClusteredPresenceRegistryBuilder b = ClusteredPresenceRegistry.builder();
    assertThatIllegalArgumentException().isThrownBy(() -> b.nodeId(" "))
        .withMessage("nodeId must not be blank: ' '");
    assertThatIllegalArgumentException().isThrownBy(() -> b.nodeId("a|b"))
        .withMessage("nodeId must not contain '|': a|b");
    assertThatIllegalArgumentException().isThrownBy(() -> b.nodeId("a{b}"))
        .withMessage("nodeId must not contain '{': a{b}");
    assertThatIllegalArgumentException().isThrownBy(() -> b.keyPrefix("app}"))
        .withMessage("keyPrefix must not contain '}': app}");
    assertThatIllegalArgumentException().isThrownBy(() -> b.leaseTtl(Duration.ZERO))
        .withMessage("leaseTtl must be at least 1 ms: PT0S");
    assertThatIllegalArgumentException().isThrownBy(() -> b.leaseRenewalInterval(Duration.ofSeconds(-1)))
        .withMessage("leaseRenewalInterval must be at least 1 ms: PT-1S");
    assertThatIllegalArgumentException().isThrownBy(() -> b.commandTimeout(Duration.ofNanos(5)))
        .withMessage("commandTimeout must be at least 1 ms: PT0.000000005S");
    assertThatIllegalArgumentException().isThrownBy(() -> b.redisUri("not a uri"))
        .withMessageStartingWith("redisUri is not a valid Redis URI: not a uri");
    assertThatNullPointerException().isThrownBy(() -> b.nodeId(null)).withMessage("nodeId");
    assertThatNullPointerException().isThrownBy(() -> b.local(null)).withMessage("local");
  }

  @Test
  void aClusteredRegistry_cannotBeTheLocalOne() throws Exception {
    try (RedisServer redis = RedisServer.startOrSkip();
        ClusteredPresenceRegistry clustered = ClusteredPresenceRegistry.builder()
            .redisUri(redis.uri()).build()) {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> ClusteredPresenceRegistry.builder().localRegistry(clustered))
          .withMessageStartingWith("localRegistry must be a single-node registry");
    }
  }

  @Test
  void conflictingOrMissingSettings_failInBuild() {
    assertThatIllegalStateException().isThrownBy(() -> ClusteredPresenceRegistry.builder().build())
        .withMessage("redisUri, redisClient, redisCluster or redisClusterClient must be set");
    RedisClient client = RedisClient.create();
    try {
      assertThatIllegalStateException().isThrownBy(() -> ClusteredPresenceRegistry.builder()
              .redisUri("redis://127.0.0.1:1").redisClient(client).build())
          .withMessage("redisUri and redisClient are both set; choose one");
    } finally {
      client.shutdown();
    }
    assertThatIllegalStateException().isThrownBy(() -> ClusteredPresenceRegistry.builder()
            .redisUri("redis://127.0.0.1:1").local(PresenceRegistry.builder())
            .localRegistry(PresenceRegistry.builder().build()).build())
        .withMessage("local and localRegistry are both set; choose one");
    assertThatIllegalStateException().isThrownBy(() -> ClusteredPresenceRegistry.builder()
            .redisUri("redis://127.0.0.1:1").leaseTtl(Duration.ofSeconds(5))
            .leaseRenewalInterval(Duration.ofSeconds(5)).build())
        .withMessage("leaseRenewalInterval (PT5S) must be shorter than leaseTtl (PT5S)");
  }

  @Test
  void unreachableRedis_failsBuildWithTheReason() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    int port = closedPort;
    assertThatIllegalStateException().isThrownBy(() -> ClusteredPresenceRegistry.builder()
            .redisUri("redis://127.0.0.1:" + port).build())
        .withMessageStartingWith("could not connect to Redis: ");
  }

  @Test
  void hostSuppliedClient_isUsedAndLeftRunningOnClose() {
    try (RedisServer redis = RedisServer.startOrSkip()) {
      RedisClient client = RedisClient.create(redis.uri());
      try {
        try (ClusteredPresenceRegistry a = ClusteredPresenceRegistry.builder().redisClient(client)
                .nodeId("a").build();
            ClusteredPresenceRegistry b = ClusteredPresenceRegistry.builder().redisClient(client)
                .nodeId("b").build()) {
          a.connect("u1", "s", new RecordingOutbound());
          await().atMost(Duration.ofSeconds(3)).until(() -> b.isOnline("u1"));
        }
        try (var connection = client.connect()) { // still usable: not shut down by close()
          assertThat(connection.sync().ping()).isEqualTo("PONG");
          assertThat(connection.sync().smembers("presence:nodes")).isEmpty(); // both left
        }
      } finally {
        client.shutdown();
      }
    }
  }
}
