package dev.presence.test;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The extension in a static field: one server for the class. (The instance-field case is {@link
 * EmbeddedMongoInstanceExtensionTest}: a {@code @Nested} class here made surefire 3.5.4 report
 * this class with tests="0", SUREFIRE-2194.)
 */
class EmbeddedMongoExtensionTest {
  @RegisterExtension
  static final EmbeddedMongoExtension MONGO = new EmbeddedMongoExtension();
  private static MongoClient client;

  @BeforeAll
  static void connect() {
    client = MongoClients.create(MONGO.uri());
  }

  @AfterAll
  static void disconnect() {
    client.close();
  }

  @Test
  void aStaticExtension_servesTheWholeClass_andIsTheParameter(EmbeddedMongo server) {
    assertThat(server).isSameAs(MONGO.server());
    assertThat(MONGO.uri("app")).isEqualTo("mongodb://127.0.0.1:" + server.port() + "/app");
    MongoCollection<Document> users = client.getDatabase("app").getCollection("users");
    users.insertOne(new Document("id", "alice"));
    assertThat(users.countDocuments()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void stopAndRestart_keepThePortAndTheData() {
    EmbeddedMongo server = MONGO.server();
    MongoCollection<Document> c = client.getDatabase("restart").getCollection("c");
    c.insertOne(new Document("k", "v"));

    server.stop();
    assertThat(server.isRunning()).isFalse();
    server.restart();

    assertThat(server.isRunning()).isTrue();
    assertThat(c.find().first()).containsEntry("k", "v");
  }
}
