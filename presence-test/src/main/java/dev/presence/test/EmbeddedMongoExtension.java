package dev.presence.test;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that runs an {@link EmbeddedMongo} for a test class or for each test.
 *
 * <p>Registered on the class (a static field, or {@code @ExtendWith(EmbeddedMongoExtension.class)})
 * the server lives for the whole class; in an instance field a fresh server (empty data, new
 * port) is started before each test and closed after it:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EmbeddedMongoExtension MONGO = new EmbeddedMongoExtension();
 *
 * @BeforeAll
 * static void start() {
 *   client = MongoClients.create(MONGO.uri("app"));
 * }
 * }</pre>
 *
 * <p>Test and lifecycle methods may also take an {@link EmbeddedMongo} parameter. Needs
 * junit-jupiter-api and mongo-java-server on the test classpath. Not thread-safe: for tests that
 * run one at a time (the JUnit default).
 */
public final class EmbeddedMongoExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {
  private @Nullable EmbeddedMongo server;
  private boolean perClass;

  /** Creates the extension; the server starts before the first test (or before all of them). */
  public EmbeddedMongoExtension() {}

  @Override
  public void beforeAll(ExtensionContext context) {
    perClass = true;
    started();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    started();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (!perClass) {
      closeServer();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    closeServer();
  }

  private EmbeddedMongo started() {
    EmbeddedMongo s = server;
    if (s == null) {
      s = EmbeddedMongo.start();
      server = s;
    }
    return s;
  }

  private void closeServer() {
    EmbeddedMongo s = server;
    server = null;
    if (s != null) {
      s.close();
    }
  }

  /**
   * Returns the running server.
   *
   * @return the server of the current class or test
   * @throws IllegalStateException outside the extension's lifecycle (before all, or after all)
   */
  public EmbeddedMongo server() {
    EmbeddedMongo s = server;
    if (s == null) {
      throw new IllegalStateException("no server: EmbeddedMongoExtension starts it before all tests (static "
          + "field) or before each test (instance field)");
    }
    return s;
  }

  /**
   * Returns the connection string of the running server.
   *
   * @return {@code mongodb://127.0.0.1:<port>}
   * @throws IllegalStateException outside the extension's lifecycle
   */
  public String uri() {
    return server().uri();
  }

  /**
   * Returns the connection string of one database of the running server.
   *
   * @param database the database name
   * @return {@code mongodb://127.0.0.1:<port>/<database>}
   * @throws IllegalStateException outside the extension's lifecycle
   */
  public String uri(String database) {
    return server().uri(database);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == EmbeddedMongo.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return started();
  }
}
