package dev.presence.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.presence.test.EmbeddedMongoExtension;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The demo against a MongoDB it does not own ({@code --mongo-uri}): shutdown flushes last seen,
 * and a restarted demo loads the thread membership so that status fan-out works at once.
 */
@ExtendWith(ErrorLogGuard.class)
class DemoRestartTest {
  @RegisterExtension
  final EmbeddedMongoExtension mongoServer = new EmbeddedMongoExtension();
  private String uri;
  private MongoClient mongo;

  @BeforeEach
  void startMongo() {
    uri = mongoServer.uri("restart_test");
    mongo = MongoClients.create(uri);
  }

  @AfterEach
  void stopMongo() {
    mongo.close();
  }

  private DemoServer startDemo() throws Exception {
    return DemoServer.start(DemoOptions.parse("--port", "0", "--mongo-uri", uri));
  }

  private Document user(String id) {
    MongoCollection<Document> users = mongo.getDatabase("restart_test").getCollection("users");
    return users.find(Filters.eq("id", id)).first();
  }

  @Test
  void shutdown_flushesLastSeenOfEveryoneStillOnline() throws Exception {
    Instant before = Instant.now().minusMillis(1);
    try (DemoServer demo = startDemo()) {
      DemoClient client = new DemoClient(demo.uri());
      String ta = client.login("alice");
      client.connect(ta);
      assertThat(user("alice")).doesNotContainKey("last_online");
    } // close(): registry first (alice goes offline, the write-behind is flushed), then Mongo
    Date seen = user("alice").getDate("last_online");
    assertThat(seen).isNotNull();
    assertThat(seen.toInstant()).isAfterOrEqualTo(before.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
  }

  @Test
  void restart_loadsMembership_andServesStoredLastSeen() throws Exception {
    String thread;
    try (DemoServer demo = startDemo()) {
      DemoClient client = new DemoClient(demo.uri());
      String ta = client.login("alice");
      String tb = client.login("bob");
      thread = client.createThread(ta, "Kept", "bob");
      client.connect(tb).leave();
      await().atMost(Duration.ofSeconds(10)).until(() -> user("bob").containsKey("last_online"));
    }
    Date bobSeen = user("bob").getDate("last_online");
    assertThat(mongo.getDatabase("restart_test").getCollection("threads")
        .find(Filters.exists("users.last_online")).first()).as("presence never stored in threads").isNull();

    try (DemoServer demo = startDemo()) {
      DemoClient client = new DemoClient(demo.uri());
      String ta = client.login("alice");
      String tb = client.login("bob");
      assertThat(DemoClient.member(client.get("/threads/" + thread, ta).body(), "bob")
          .get("last_online").asText()).isEqualTo(bobSeen.toInstant().toString());
      try (TestSocket as = client.connect(ta); TestSocket bs = client.connect(tb)) {
        // Only the membership loaded at start can route this event.
        await().atMost(Duration.ofSeconds(10)).until(() -> as.statusesOf("bob").equals(List.of(true)));
        bs.leave();
        await().atMost(Duration.ofSeconds(10)).until(() -> as.statusesOf("bob").equals(List.of(true, false)));
      }
    }
  }
}
