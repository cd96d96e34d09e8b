package dev.presence.benchmarks;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.event.CommandListener;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.net.InetSocketAddress;

/**
 * The in-process MongoDB wire-protocol server ({@code mongo-java-server}) on 127.0.0.1 and an
 * official driver client to it. The round trip is a loopback socket and an in-memory backend,
 * so every database cost measured against it <b>understates</b> a real deployment, which also
 * pays network latency and disk. Not thread-safe to start and close; the client is.
 */
final class EmbeddedMongo implements AutoCloseable {
  final MongoServer server;
  final MongoClient client;
  final MongoDatabase db;

  EmbeddedMongo(CommandListener... listeners) {
    MemoryBackend backend = new MemoryBackend();
    backend.version(ServerVersion.MONGO_5_0);
    server = new MongoServer(backend);
    server.bind("127.0.0.1", 0);
    InetSocketAddress address = server.getLocalAddress();
    MongoClientSettings.Builder settings = MongoClientSettings.builder()
        .applyConnectionString(new ConnectionString("mongodb://127.0.0.1:" + address.getPort()));
    for (CommandListener l : listeners) {
      settings.addCommandListener(l);
    }
    client = MongoClients.create(settings.build());
    db = client.getDatabase("app");
    // The index a host has on users.id (and the one the old design had on threads.users.id).
    db.getCollection("users").createIndex(Indexes.ascending("id"), new IndexOptions().unique(true));
    db.getCollection("threads").createIndex(Indexes.ascending("users.id"));
  }

  @Override
  public void close() {
    client.close();
    server.shutdownNow();
  }
}
