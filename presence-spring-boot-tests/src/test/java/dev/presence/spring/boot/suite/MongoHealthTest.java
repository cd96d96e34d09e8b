package dev.presence.spring.boot.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import dev.presence.test.EmbeddedMongo;
import dev.presence.PresenceRegistry;
import dev.presence.spring.boot.suite.Clients.WsClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.annotation.DirtiesContext;

/** Last seen goes to MongoDB; health turns DOWN while MongoDB is unreachable, UP when it is back. */
@SpringBootTest(classes = RawWebSocketApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
        "presence.heartbeat-interval=200ms",
        "presence.mongo.database=presence_health",
        "presence.health.store-failure-threshold=300ms",
        "management.endpoints.web.exposure.include=health",
        "management.endpoint.health.show-details=always",
        "server.address=127.0.0.1"})
@DirtiesContext
class MongoHealthTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Autowired PresenceRegistry registry;
  @Autowired EmbeddedMongo mongoServer;
  @Autowired MongoClient mongo;
  @Autowired Environment env;

  @Test
  void lastSeenIsWrittenToMongo_andHealthIsDownWhileMongoIsUnreachable() throws Exception {
    int port = TestSupport.port(env);
    MongoCollection<Document> users = mongo.getDatabase("presence_health").getCollection("users");
    users.insertOne(new Document("_id", "r6-ann"));
    users.insertOne(new Document("_id", "r6-ben"));

    try (WsClient ann = WsClient.connect("ws://127.0.0.1:" + port + "/ws?access_token=t-r6-ann")) {
      await().atMost(Duration.ofSeconds(5)).until(() -> registry.isOnline("r6-ann"));
    }
    await().atMost(Duration.ofSeconds(10)).until(() ->
        users.find(Filters.eq("_id", "r6-ann")).first().get("last_online") != null);
    assertThat(presenceHealth(port).path("status").asText()).isEqualTo("UP");

    mongoServer.stop();
    try (WsClient ben = WsClient.connect("ws://127.0.0.1:" + port + "/ws?access_token=t-r6-ben")) {
      await().atMost(Duration.ofSeconds(5)).until(() -> registry.isOnline("r6-ben"));
    }
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      HttpResponse<String> r = Clients.get(port, "/actuator/health");
      assertThat(r.statusCode()).isEqualTo(503);
      JsonNode p = JSON.readTree(r.body()).path("components").path("presence");
      assertThat(p.path("status").asText()).isEqualTo("DOWN");
      assertThat(p.path("details").path("lastSeenError").asText()).isNotEmpty();
      assertThat(p.path("details").path("lastSeenPending").asInt()).isEqualTo(1);
    });

    // MongoDB is back on the same address: the queued write goes through and health recovers
    mongoServer.restart();
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      HttpResponse<String> r = Clients.get(port, "/actuator/health");
      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode p = JSON.readTree(r.body()).path("components").path("presence");
      assertThat(p.path("status").asText()).isEqualTo("UP");
      assertThat(p.path("details").path("lastSeenPending").asInt()).isZero();
    });
  }

  private static JsonNode presenceHealth(int port) throws Exception {
    return JSON.readTree(Clients.get(port, "/actuator/health").body()).path("components").path("presence");
  }
}
