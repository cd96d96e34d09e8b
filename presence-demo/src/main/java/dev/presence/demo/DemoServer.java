package dev.presence.demo;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.presence.PresencePolicy;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceFanout;
import dev.presence.ThreadEnricher;
import dev.presence.ThreadMembership;
import dev.presence.WriteBehindLastSeenStore;
import dev.presence.mongo.CommandCounter;
import dev.presence.mongo.MongoLastSeenStore;
import dev.presence.websocket.PresenceConfigurator;
import dev.presence.websocket.WebSocketPresence;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.ee10.servlet.ResourceServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running demo: MongoDB (embedded or external), the presence registry with its last-seen
 * store, the in-memory thread membership and status broadcaster, and Jetty serving the page, the
 * JSON API and the WebSocket on 127.0.0.1. Wired the way a host application would wire the
 * library.
 *
 * <p>Design. Concurrency: Jetty's threads serve HTTP and WebSocket callbacks; the registry's
 * scheduler thread runs heartbeats; the write-behind thread alone writes last-seen times. Only
 * HTTP request threads query MongoDB; a WebSocket connect, heartbeat or disconnect never does.
 * Timing: membership is loaded once at start and kept current by the API. Failure: a database
 * error fails the HTTP request that needed it (503) and nothing else; last-seen writes retry in
 * the write-behind. {@link #close()} flushes last seen before the database goes away.
 *
 * <p>Thread-safe: {@link #close()} may be called from any thread, more than once.
 */
public final class DemoServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DemoServer.class);
  private static final String DEFAULT_DATABASE = "presence_demo";

  private final MongoServer embedded;
  private final MongoClient mongo;
  private final PresenceFanout fanout;
  private final PresenceRegistry registry;
  private final LastSeenFlush lastSeen;
  private final WebSocketPresence webSockets;
  private final Server jetty;
  private final int port;
  private final AtomicBoolean closed = new AtomicBoolean();

  private DemoServer(MongoServer embedded, MongoClient mongo, PresenceFanout fanout, PresenceRegistry registry,
      LastSeenFlush lastSeen, WebSocketPresence webSockets, Server jetty, int port) {
    this.embedded = embedded;
    this.mongo = mongo;
    this.fanout = fanout;
    this.registry = registry;
    this.lastSeen = lastSeen;
    this.webSockets = webSockets;
    this.jetty = jetty;
    this.port = port;
  }

  /**
   * Starts the demo and returns once it accepts connections.
   *
   * @param options the settings
   * @return the running demo; close it to stop
   * @throws Exception if MongoDB cannot be reached or the port cannot be bound; whatever was
   *     started is stopped again
   */
  public static DemoServer start(DemoOptions options) throws Exception {
    // Tokens on the system clock, valid for --token-ttl, under a key made for this process.
    return start(options, new Tokens(Clock.systemUTC(), options.tokenTtl()));
  }

  /**
   * Starts with the given tokens (their key, clock and lifetime; {@code options.tokenTtl()} is not
   * used), so that tests can restart a server its clients still trust, or expire tokens on a fake
   * clock.
   */
  static DemoServer start(DemoOptions options, Tokens tokens) throws Exception {
    MongoServer embedded = null;
    MongoClient mongo = null;
    PresenceRegistry registry = null;
    LastSeenFlush lastSeen = null;
    PresenceFanout fanout = null;
    WebSocketPresence webSockets = null;
    Server jetty = null;
    try {
      String uri = options.mongoUri();
      if (uri == null) {
        embedded = new MongoServer(new MemoryBackend().version(ServerVersion.MONGO_5_0));
        embedded.bind("127.0.0.1", 0);
        InetSocketAddress a = embedded.getLocalAddress();
        uri = "mongodb://127.0.0.1:" + a.getPort();
      }
      ConnectionString cs = new ConnectionString(uri);
      CommandCounter counter = new CommandCounter();
      mongo = MongoClients.create(MongoClientSettings.builder()
          .applyConnectionString(cs)
          .applicationName("presence-demo")
          .applyToClusterSettings(c -> {
            if (cs.getServerSelectionTimeout() == null) {
              c.serverSelectionTimeout(10, TimeUnit.SECONDS);
            }
          })
          .addCommandListener(counter)
          .build());
      MongoDatabase db = mongo.getDatabase(cs.getDatabase() != null ? cs.getDatabase() : DEFAULT_DATABASE);
      DemoStore store = new DemoStore(db);
      store.createIndexes(embedded == null);
      ThreadMembership membership = new ThreadMembership();
      int threads = store.loadMembership(membership);
      LOG.info("Loaded the membership of {} threads", threads);

      PresenceSettings settings = new PresenceSettings(db, Clock.systemUTC());
      LOG.info("Loaded the presence settings of {} users", settings.load());

      // The demo owns the write-behind (the registry would otherwise create and close it), so
      // that stopping can flush it after the registry and report the flush apart.
      lastSeen = new LastSeenFlush(
          WriteBehindLastSeenStore.builder(MongoLastSeenStore.builder(db).build()).build(), counter);
      PresenceRegistry.Builder rb = PresenceRegistry.builder()
          .heartbeatInterval(options.heartbeatInterval())
          .heartbeatTimeout(options.heartbeatTimeout())
          .offlineGrace(options.offlineGrace())
          .lastSeenStore(lastSeen.store())
          // "Hide my last seen", reciprocal; the predicate is a map lookup, never a query.
          .policy(PresencePolicy.hideLastSeen(settings::hidesLastSeen));
      if (!options.idleAfter().isZero()) {
        rb.idleAfter(options.idleAfter());
      }
      registry = rb.build();
      fanout = PresenceFanout.builder(registry, membership)
          .batchWindow(options.batchWindow()).build();
      ThreadEnricher enricher = ThreadEnricher.builder(registry)
          .lastSeenStore(registry.lastSeenStore().orElseThrow())
          .build();
      // A new session starts with the user's saved availability and text (from memory): a user
      // who chose to appear offline is never seen online, not even for a moment.
      webSockets = WebSocketPresence.builder(registry).pingStyle(options.pingStyle())
          .connectOptions((session, config, userId) -> settings.connectOptions(userId))
          .build();

      jetty = new Server();
      jetty.setErrorHandler(new JsonErrorHandler());
      ServerConnector connector = new ServerConnector(jetty);
      connector.setHost("127.0.0.1");
      connector.setPort(options.port());
      jetty.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler();
      context.setContextPath("/");
      context.setErrorHandler(new ServletJsonErrorHandler());
      SocketCloses closes = new SocketCloses();
      ApiServlet api = new ApiServlet(store, tokens, registry, membership, enricher, counter,
          new PresenceSettingsApi(settings, registry, membership,
              // PUT /me/presence per user: the rate the registry allows set_status per socket.
              new ChangeLimiter(registry.clientChangeLimit(), System::nanoTime), Clock.systemUTC()), closes);
      ServletHolder apiHolder = new ServletHolder("api", api);
      for (String path : List.of("/login", "/stats", "/invitations", "/me/presence", "/threads", "/threads/*")) {
        context.addServlet(apiHolder, path);
      }
      context.addServlet(new ServletHolder("page", new StaticServlet()), "/");
      // presence-client.js, from the adapter jar's META-INF/resources, the way docs/clients.md
      // tells an embedded Jetty to serve it.
      context.setBaseResource(ResourceFactory.of(context).newClassLoaderResource("META-INF/resources"));
      ServletHolder client = new ServletHolder("presence-client", ResourceServlet.class);
      client.setInitParameter("pathInfoOnly", "false");
      client.setInitParameter("dirAllowed", "false");
      client.setInitParameter("cacheControl", "no-cache");
      context.addServlet(client, "/presence/*");
      WebSocketPresence ws = webSockets;
      PresenceFanout fo = fanout;
      ServerEndpointConfig endpoint = ServerEndpointConfig.Builder.create(ChatEndpoint.class, "/ws")
          .configurator(new PresenceConfigurator(request -> tokens.verify(tokenOf(request))) {
            @Override
            public <T> T getEndpointInstance(Class<T> endpointClass) {
              return endpointClass.cast(new ChatEndpoint(ws, fo, options.idleAfter(), closes));
            }
          })
          .build();
      JakartaWebSocketServletContainerInitializer.configure(context,
          (servletContext, container) -> container.addEndpoint(endpoint));
      jetty.setHandler(new SecurityHeaders(new WebSocketTokenGate(tokens, context)));
      jetty.setStopTimeout(2000);
      jetty.start();
      return new DemoServer(embedded, mongo, fanout, registry, lastSeen, webSockets, jetty,
          connector.getLocalPort());
    } catch (Exception | Error e) {
      stopAll(fanout, registry, lastSeen, webSockets, jetty, mongo, embedded);
      throw e;
    }
  }

  private static String tokenOf(HandshakeRequest request) {
    List<String> values = request.getParameterMap().get("token");
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /**
   * Returns the port it listens on (the chosen one when started with port 0).
   *
   * @return the local port
   */
  public int port() {
    return port;
  }

  /**
   * Returns the page's address, {@code http://127.0.0.1:PORT/}.
   *
   * @return the base URI
   */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + port + "/");
  }

  /**
   * Stops in the order that loses nothing and floods nobody: the fan-out first (clients are not
   * told that everyone went offline, one message per co-member pair: they reconnect), then the
   * registry (every user goes offline, one close frame per session), then the last-seen
   * write-behind (flushed to MongoDB, bounded by its close timeout), then the connections, then
   * Jetty, then MongoDB. Idempotent.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      stopAll(fanout, registry, lastSeen, webSockets, jetty, mongo, embedded);
    }
  }

  private static void stopAll(PresenceFanout fanout, PresenceRegistry registry, LastSeenFlush lastSeen,
      WebSocketPresence webSockets, Server jetty, MongoClient mongo, MongoServer embedded) {
    long t0 = System.nanoTime();
    long cpu0 = processCpuNanos();
    ThreadCpu threads = new ThreadCpu();
    int sessions = registry == null ? 0 : registry.stats().sessions();
    if (fanout != null) { // first: a stopping node tells nobody that everyone went offline
      quietly("closing the presence fan-out", fanout::close);
    }
    if (registry != null) { // ends every presence, starts every close, queues every last seen
      quietly("closing the presence registry", registry::close);
    }
    long tr = System.nanoTime();
    long cpuR = processCpuNanos();
    String registryThreads = threads.since(3, cpuR - cpu0);
    String flushed = lastSeen == null ? "none" : lastSeen.close();
    long t1 = System.nanoTime();
    long cpu1 = processCpuNanos();
    String flushThreads = threads.since(3, cpu1 - cpuR);
    if (webSockets != null) { // waits for the closes, at most its shutdownTimeout, drops the rest
      quietly("closing the WebSocket connections", webSockets::close);
    }
    long t2 = System.nanoTime();
    if (jetty != null) {
      quietly("stopping Jetty", jetty::stop);
    }
    long t3 = System.nanoTime();
    if (mongo != null) {
      quietly("closing the MongoDB client", mongo::close);
    }
    if (embedded != null) {
      quietly("stopping the embedded MongoDB server", embedded::shutdownNow);
    }
    long t4 = System.nanoTime();
    // This process's CPU time per step (all its threads: the writer threads' closing handshakes
    // run during the registry and flush steps), beside the wall time: on a shared machine the
    // difference is time spent waiting for the CPU or for another process (the database).
    LOG.info("Stopped with {} sessions in {} ms: registry {} ms (CPU {} ms: {}), last-seen flush {} ms"
        + " (CPU {} ms: {}; {}), connections {} ms, Jetty {} ms, MongoDB {} ms", sessions, millis(t4 - t0),
        millis(tr - t0), millis(cpuR - cpu0), registryThreads, millis(t1 - tr), millis(cpu1 - cpuR),
        flushThreads, flushed, millis(t2 - t1), millis(t3 - t2), millis(t4 - t3));
  }

  /** CPU time of this process so far, in ns; 0 where the JVM cannot tell. */
  private static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? Math.max(0, os.getProcessCpuTime()) : 0;
  }

  private static long millis(long nanos) {
    return nanos / 1_000_000;
  }

  private interface Step {
    void run() throws Exception;
  }

  private static void quietly(String what, Step step) {
    try {
      step.run();
    } catch (Exception e) {
      LOG.warn("Failed {}", what, e);
    }
  }

  @Override
  public String toString() {
    return "DemoServer(" + uri() + ")";
  }
}
