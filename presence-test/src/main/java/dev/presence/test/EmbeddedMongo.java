package dev.presence.test;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An in-process MongoDB wire-protocol server (mongo-java-server, in memory, reporting MongoDB
 * 5.0 so that current drivers accept it) on 127.0.0.1 and a port the OS picks. It can be stopped
 * like a crashed database process (connections cut, port closed) and restarted on the same port
 * over the same data. Needs {@code de.bwaldvogel:mongo-java-server} on the test classpath.
 *
 * <p>In JUnit 5 tests, {@link EmbeddedMongoExtension} starts and stops it. Not thread-safe to
 * start, stop and close; clients may use it from any thread.
 */
public final class EmbeddedMongo implements AutoCloseable {
  private final DurableMemoryBackend backend = new DurableMemoryBackend();
  private @Nullable MongoServer server;
  private final int port;

  private EmbeddedMongo() {
    backend.version(ServerVersion.MONGO_5_0);
    MongoServer s = new MongoServer(backend);
    s.bind("127.0.0.1", 0);
    server = s;
    port = s.getLocalAddress().getPort();
  }

  /**
   * Starts a server on a free loopback port.
   *
   * @return the running server
   */
  public static EmbeddedMongo start() {
    return new EmbeddedMongo();
  }

  /**
   * Returns the port (kept across {@link #stop()} and {@link #restart()}).
   *
   * @return the loopback port
   */
  public int port() {
    return port;
  }

  /**
   * Returns the connection string of the server.
   *
   * @return {@code mongodb://127.0.0.1:<port>}
   */
  public String uri() {
    return "mongodb://127.0.0.1:" + port;
  }

  /**
   * Returns the connection string of one database of the server.
   *
   * @param database the database name
   * @return {@code mongodb://127.0.0.1:<port>/<database>}
   */
  public String uri(String database) {
    Objects.requireNonNull(database, "database");
    return uri() + "/" + database;
  }

  /**
   * Returns whether the server accepts connections.
   *
   * @return true unless stopped or closed
   */
  public boolean isRunning() {
    return server != null;
  }

  /**
   * Stops the server like a crash of the database process: open connections are cut and the port
   * is closed; the data stays, as it would on disk. Does nothing if it is stopped.
   */
  public void stop() {
    MongoServer s = server;
    server = null;
    if (s != null) {
      s.shutdownNow();
    }
  }

  /**
   * Starts the server again on the same port over the same data. Does nothing if it is running.
   *
   * @throws IllegalStateException if it was closed
   * @throws RuntimeException if the port was taken meanwhile
   */
  public void restart() {
    if (backend.discarded) {
      throw new IllegalStateException("closed: a closed EmbeddedMongo cannot be restarted");
    }
    if (server != null) {
      return;
    }
    MongoServer s = new MongoServer(backend);
    s.bind("127.0.0.1", port);
    server = s;
  }

  /** Stops the server and drops its data. Idempotent. */
  @Override
  public void close() {
    stop();
    backend.discard();
  }

  @Override
  public String toString() {
    return "EmbeddedMongo(" + uri() + (isRunning() ? "" : ", stopped") + ")";
  }

  /** A memory backend that outlives its server: a server's shutdown would otherwise wipe it. */
  private static final class DurableMemoryBackend extends MemoryBackend {
    private boolean discarded;

    @Override
    public void close() {
      // kept for a restart; discard() drops it
    }

    void discard() {
      if (!discarded) {
        discarded = true;
        super.close();
      }
    }
  }
}
