package dev.presence.spring.boot.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.presence.PresenceRegistry;
import dev.presence.redis.ClusteredPresenceRegistry;
import dev.presence.test.RedisServer;
import dev.presence.spring.boot.suite.Clients.WsClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** presence.redis.uri makes the registry clustered; health is DOWN while Redis is gone. */
@SpringBootTest(classes = RawWebSocketApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
        "presence.heartbeat-interval=200ms",
        "presence.redis.lease-ttl=2s",
        "presence.redis.lease-renewal-interval=300ms",
        "presence.redis.command-timeout=300ms",
        "presence.health.cluster-staleness-threshold=500ms",
        "management.endpoints.web.exposure.include=health",
        "management.endpoint.health.show-details=always",
        "server.address=127.0.0.1"})
@DirtiesContext
class ClusteredHealthTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static RedisServer redis;

  @DynamicPropertySource
  static void redis(DynamicPropertyRegistry properties) {
    redis = RedisServer.startOrSkip();
    properties.add("presence.redis.uri", redis::uri);
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.stop();
    }
  }

  @Autowired PresenceRegistry registry;
  @Autowired Environment env;

  @Test
  void clusteredRegistry_healthDownWhileRedisIsGone_upWhenItIsBack() throws Exception {
    assertThat(registry).isInstanceOf(ClusteredPresenceRegistry.class);
    int port = TestSupport.port(env);
    try (WsClient dan = WsClient.connect("ws://127.0.0.1:" + port + "/ws?access_token=t-r9-dan")) {
      await().atMost(Duration.ofSeconds(5)).until(() -> registry.isOnline("r9-dan"));
      JsonNode up = presence(port, 200);
      assertThat(up.path("status").asText()).isEqualTo("UP");
      assertThat(up.path("details").path("clusterInSync").asBoolean()).isTrue();

      redis.stop();
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        JsonNode down = presence(port, 503);
        assertThat(down.path("status").asText()).isEqualTo("DOWN");
        assertThat(down.path("details").path("clusterInSync").asBoolean()).isFalse();
      });

      redis.restart();
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
          assertThat(presence(port, 200).path("details").path("clusterInSync").asBoolean()).isTrue());
    }
  }

  private static JsonNode presence(int port, int expectedStatus) throws Exception {
    HttpResponse<String> r = Clients.get(port, "/actuator/health");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(expectedStatus);
    return JSON.readTree(r.body()).path("components").path("presence");
  }
}
