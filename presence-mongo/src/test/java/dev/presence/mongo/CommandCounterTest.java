package dev.presence.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.MongoCommandException;
import com.mongodb.ServerAddress;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import com.mongodb.connection.ClusterId;
import com.mongodb.connection.ConnectionDescription;
import com.mongodb.connection.ServerId;
import com.mongodb.event.CommandStartedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bson.BsonDocument;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CommandCounterTest {
  private static MongoFixture mongo;
  private MongoDatabase db;
  private MongoCollection<Document> users;

  @BeforeAll
  static void startMongo() {
    mongo = MongoFixture.start();
  }

  @AfterAll
  static void stopMongo() {
    mongo.close();
  }

  @BeforeEach
  void freshDatabase() {
    db = mongo.newDatabase();
    users = db.getCollection("users");
    mongo.resetCounts();
  }

  @Test
  void everyCommand_isCountedPerNameAndCollection_andClassifiedAsReadOrWrite() {
    users.insertOne(new Document("id", "u1"));
    users.insertMany(List.of(new Document("id", "u2"), new Document("id", "u3")));
    users.updateOne(Filters.eq("id", "u1"), Updates.set("name", "A"));
    users.findOneAndUpdate(Filters.eq("id", "u2"), Updates.set("name", "B"));
    users.deleteOne(Filters.eq("id", "u3"));
    users.find().into(new ArrayList<>());
    users.aggregate(List.of(new Document("$match", new Document()))).into(new ArrayList<>());
    users.distinct("id", String.class).into(new ArrayList<>());
    db.getCollection("threads").find().first();
    db.runCommand(new Document("ping", 1));

    CommandCounter c = mongo.counter;
    assertThat(c.count("insert", "users")).isEqualTo(2);
    assertThat(c.count("update", "users")).isEqualTo(1);
    assertThat(c.count("findAndModify", "users")).isEqualTo(1);
    assertThat(c.count("delete", "users")).isEqualTo(1);
    assertThat(c.count("find", "users")).isEqualTo(1);
    assertThat(c.writes("users")).isEqualTo(5);
    assertThat(c.reads("users")).isEqualTo(3);
    assertThat(c.total("users")).isEqualTo(8);
    assertThat(c.reads("threads")).isEqualTo(1);
    assertThat(c.writes("threads")).isZero();
    assertThat(c.count("ping", "")).isEqualTo(1);
    assertThat(c.count("find", "nothing")).isZero();
    assertThat(c.reads("nothing")).isZero();
    assertThat(c.total()).isEqualTo(10);
    assertThat(c.snapshot()).isEqualTo(Map.of(
        "", Map.of("ping", 1L),
        "threads", Map.of("find", 1L),
        "users", Map.of("aggregate", 1L, "delete", 1L, "distinct", 1L, "find", 1L,
            "findAndModify", 1L, "insert", 2L, "update", 1L)));
  }

  @Test
  void getMore_isCountedAsAReadOfItsCollection() {
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      docs.add(new Document("id", "u" + i));
    }
    users.insertMany(docs);
    mongo.resetCounts();

    assertThat(users.find().batchSize(3).into(new ArrayList<>())).hasSize(10);

    assertThat(mongo.counter.count("find", "users")).isEqualTo(1);
    assertThat(mongo.counter.count("getMore", "users")).isGreaterThanOrEqualTo(3);
    assertThat(mongo.counter.reads("users")).isEqualTo(mongo.counter.total("users"));
  }

  @Test
  void failedCommands_areCountedAsSentAndAsFailed() {
    assertThatThrownBy(() -> db.runCommand(new Document("noSuchCommand", 1)))
        .isInstanceOf(MongoCommandException.class);

    assertThat(mongo.counter.count("noSuchCommand", "")).isEqualTo(1);
    assertThat(mongo.counter.failedCount()).isEqualTo(1);
  }

  @Test
  void snapshot_isImmutable_andNotUpdatedAfterwards() {
    users.insertOne(new Document("id", "u1"));
    Map<String, Map<String, Long>> snapshot = mongo.counter.snapshot();
    users.insertOne(new Document("id", "u2"));

    assertThat(snapshot).isEqualTo(Map.of("users", Map.of("insert", 1L)));
    assertThatThrownBy(() -> snapshot.put("x", Map.of())).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> snapshot.get("users").put("x", 1L)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void reset_setsEverythingToZero() {
    users.insertOne(new Document("id", "u1"));
    mongo.counter.reset();

    assertThat(mongo.counter.total()).isZero();
    assertThat(mongo.counter.snapshot()).isEmpty();
    assertThat(mongo.counter.writes("users")).isZero();
  }

  @Test
  void concurrentCommands_areCountedExactly() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          for (int i = 0; i < 50; i++) {
            users.insertOne(new Document("id", "t" + thread + "-" + i));
            users.find(Filters.eq("id", "t" + thread + "-" + i)).first();
          }
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }

    assertThat(mongo.counter.writes("users")).isEqualTo(200);
    assertThat(mongo.counter.reads("users")).isEqualTo(200);
  }

  @Test
  void clientLevelBulkWrite_isCountedOnceForEachCollectionItTouches() {
    CommandCounter counter = new CommandCounter();
    BsonDocument command = BsonDocument.parse("{bulkWrite: 1, ops: [], nsInfo: [{ns: 'app.users'}, {ns: 'app.threads'}]}");
    ConnectionDescription connection = new ConnectionDescription(new ServerId(new ClusterId(), new ServerAddress()));
    counter.commandStarted(new CommandStartedEvent(null, 1, 1, connection, "admin", "bulkWrite", command));

    assertThat(counter.writes("users")).isEqualTo(1);
    assertThat(counter.writes("threads")).isEqualTo(1);
    assertThat(counter.count("bulkWrite", "")).isZero();
  }

  @Test
  void nullArguments_areRejected() {
    assertThatThrownBy(() -> mongo.counter.count(null, "users")).hasMessage("commandName");
    assertThatThrownBy(() -> mongo.counter.count("find", null)).hasMessage("collection");
    assertThatThrownBy(() -> mongo.counter.reads(null)).hasMessage("collection");
    assertThatThrownBy(() -> mongo.counter.writes(null)).hasMessage("collection");
  }
}
