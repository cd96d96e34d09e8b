package dev.presence.test;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension in an instance field: a fresh server per test, besides the class's own. */
class EmbeddedMongoInstanceExtensionTest {
  @RegisterExtension
  static final EmbeddedMongoExtension SHARED = new EmbeddedMongoExtension();

  @RegisterExtension
  final EmbeddedMongoExtension own = new EmbeddedMongoExtension();

  @Test
  void anInstanceExtension_startsAFreshServerForTheTest() {
    assertThat(own.server().port()).isNotEqualTo(SHARED.server().port());
    try (MongoClient shared = MongoClients.create(SHARED.uri())) {
      shared.getDatabase("app").getCollection("users").insertOne(new Document("id", "alice"));
    }
    try (MongoClient c = MongoClients.create(own.uri())) {
      assertThat(c.getDatabase("app").getCollection("users").countDocuments()).isZero();
    }
  }
}
