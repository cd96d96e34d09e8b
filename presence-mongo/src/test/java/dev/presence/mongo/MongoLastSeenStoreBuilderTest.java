package dev.presence.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad configuration fails while building, before the store could send anything. */
class MongoLastSeenStoreBuilderTest {
  // A client that is never used to send a command: building a store must not need a server.
  private static final CommandCounter COUNTER = new CommandCounter();
  private static MongoClient client;
  private static MongoDatabase db;

  @BeforeAll
  static void client() {
    client = MongoClients.create(com.mongodb.MongoClientSettings.builder()
        .applyConnectionString(new com.mongodb.ConnectionString("mongodb://127.0.0.1:1"))
        .addCommandListener(COUNTER)
        .build());
    db = client.getDatabase("app");
  }

  @AfterAll
  static void close() {
    assertThat(COUNTER.total()).isZero();
    client.close();
  }

  @Test
  void defaults_areUsersIdAndLastOnline_withoutUpsert() {
    MongoLastSeenStore store = MongoLastSeenStore.builder(db).build();
    assertThat(store.namespace()).isEqualTo("app.users");
    assertThat(store).hasToString("MongoLastSeenStore(app.users, id -> last_online)");
    assertThat(MongoLastSeenStore.builder(db).upsert(true).build()).hasToString(
        "MongoLastSeenStore(app.users, id -> last_online, upsert)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\t"})
  void blankNames_areRejected_namingTheSetting(String blank) {
    assertThatThrownBy(() -> MongoLastSeenStore.builder(db).collectionName(blank))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("collectionName must be a valid, non-blank collection name: '" + blank + "'");
    assertThatThrownBy(() -> MongoLastSeenStore.builder(db).idField(blank))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("idField must not be blank: '" + blank + "'");
    assertThatThrownBy(() -> MongoLastSeenStore.builder(db).field(blank))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("field must not be blank: '" + blank + "'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"$last", "a..b", ".a", "a.", "a.$b", " a", "a "})
  void invalidFieldPaths_areRejected(String bad) {
    assertThatThrownBy(() -> MongoLastSeenStore.builder(db).field(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("field must be a field name or dotted path without empty parts, '$' prefixes"
            + " or surrounding spaces: '" + bad + "'");
    assertThatThrownBy(() -> MongoLastSeenStore.builder(db).idField(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("idField must be a field name");
  }

  @Test
  void invalidCollectionName_isRejected() {
    assertThatThrownBy(() -> MongoLastSeenStore.builder(db).collectionName("us$ers"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("collectionName must be a valid, non-blank collection name: 'us$ers'");
  }

  @Test
  void nulls_areRejected_namingTheArgument() {
    assertThatThrownBy(() -> MongoLastSeenStore.builder((MongoDatabase) null)).hasMessage("database");
    assertThatThrownBy(() -> MongoLastSeenStore.builder((com.mongodb.client.MongoCollection<?>) null))
        .hasMessage("collection");
    assertThatThrownBy(() -> MongoLastSeenStore.builder(db).collectionName(null)).hasMessage("collectionName");
    assertThatThrownBy(() -> MongoLastSeenStore.builder(db).idField(null)).hasMessage("idField");
    assertThatThrownBy(() -> MongoLastSeenStore.builder(db).field(null)).hasMessage("field");
  }

  @Test
  void sameOrNestedIdAndTimeFields_conflictAtBuild() {
    assertThatThrownBy(() -> MongoLastSeenStore.builder(db).idField("last_online").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("idField ('last_online') and field ('last_online') must be distinct, unrelated paths");
    assertThatThrownBy(() -> MongoLastSeenStore.builder(db).field("id.seen").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("idField ('id') and field ('id.seen') must be distinct, unrelated paths");
    assertThat(MongoLastSeenStore.builder(db).field("identity").build().namespace()).isEqualTo("app.users");
  }

  @Test
  void collectionNameOnACollectionBuilder_conflictsAtBuild() {
    assertThatThrownBy(() -> MongoLastSeenStore.builder(db.getCollection("people")).collectionName("users").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("collectionName ('users') is set but the builder was given a collection ('people')");
  }
}
