package dev.presence.mongo;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import dev.presence.test.EmbeddedMongo;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A MongoDB for tests: the in-process wire-protocol server on 127.0.0.1 (port chosen by the OS),
 * or the real server named by the environment variable {@code PRESENCE_MONGO_URI}. Either way the
 * client counts its commands and gives up on an unreachable server after 500 ms.
 */
final class MongoFixture implements AutoCloseable {
  static final String URI_VARIABLE = "PRESENCE_MONGO_URI";

  final CommandCounter counter = new CommandCounter();
  final CommandLog log = new CommandLog();
  final MongoClient client;
  private final String externalUri;
  private EmbeddedMongo server;
  private final List<MongoDatabase> databases = new ArrayList<>();

  private MongoFixture(String externalUri) {
    this.externalUri = externalUri;
    String uri;
    if (externalUri != null) {
      uri = externalUri;
    } else {
      server = EmbeddedMongo.start();
      uri = server.uri();
    }
    client = MongoClients.create(MongoClientSettings.builder()
        .applyConnectionString(new ConnectionString(uri))
        .applyToClusterSettings(c -> c.serverSelectionTimeout(500, TimeUnit.MILLISECONDS))
        .applyToServerSettings(s -> s.heartbeatFrequency(500, TimeUnit.MILLISECONDS)
            .minHeartbeatFrequency(50, TimeUnit.MILLISECONDS))
        .applyToSocketSettings(s -> s.connectTimeout(500, TimeUnit.MILLISECONDS)
            .readTimeout(5, TimeUnit.SECONDS))
        .addCommandListener(counter)
        .addCommandListener(log)
        .build());
  }

  /** The server named by {@code PRESENCE_MONGO_URI} if set, else an in-process one. */
  static MongoFixture start() {
    String uri = System.getenv(URI_VARIABLE);
    return new MongoFixture(uri == null || uri.isBlank() ? null : uri);
  }

  /** Always the in-process server: for tests that stop and restart the server. */
  static MongoFixture embedded() {
    return new MongoFixture(null);
  }

  boolean isExternal() {
    return externalUri != null;
  }

  /**
   * A database of its own for one test, with the users.id index a host is told to create (a
   * unique index, so a test that upserts also shows it creates no duplicates).
   */
  MongoDatabase newDatabase() {
    MongoDatabase db = client.getDatabase("presence_test_" + UUID.randomUUID().toString().replace("-", ""));
    // Setup, not the behaviour under test: the client's short timeouts (kept short so outage tests
    // fail fast) can expire before the first connection on a loaded machine, so retry for a while.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (;;) {
      try {
        db.getCollection("users").createIndex(Indexes.ascending("id"), new IndexOptions().unique(true));
        break;
      } catch (MongoTimeoutException | MongoSocketException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
    databases.add(db);
    return db;
  }

  /**
   * Stops the in-process server like a crash of the database process: open connections are cut
   * and the port is closed; the data stays, as it would on disk.
   */
  /** Forgets every command counted or logged so far. */
  void resetCounts() {
    counter.reset();
    log.clear();
  }

  void stopServer() {
    requireEmbedded();
    server.stop();
  }

  /** Starts a new in-process server on the same port and over the same data. */
  void restartServer() {
    requireEmbedded();
    server.restart();
  }

  private void requireEmbedded() {
    if (server == null) {
      throw new IllegalStateException("only the in-process server can be stopped");
    }
  }

  @Override
  public void close() {
    try {
      if (isExternal()) {
        databases.forEach(MongoDatabase::drop);
      }
    } finally {
      client.close();
      if (server != null) {
        server.close();
      }
    }
  }
}
