package example;

import dev.presence.Audience;
import dev.presence.PresenceRegistry;
import dev.presence.StatusBroadcaster;
import dev.presence.websocket.PresenceConfigurator;
import dev.presence.websocket.WebSocketPresence;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** A minimal host on embedded Jetty 12: who is online, told to their friends as it changes. */
public final class ChatServer implements AutoCloseable {
  private final PresenceRegistry registry;
  private final WebSocketPresence presence;
  private final Server jetty;

  private ChatServer(PresenceRegistry registry, WebSocketPresence presence, Server jetty) {
    this.registry = registry;
    this.presence = presence;
    this.jetty = jetty;
  }

  // tag::quickstart[]
  public static ChatServer start(int port, Tokens tokens, Audience friends) throws Exception {
    PresenceRegistry registry = PresenceRegistry.builder()
        .heartbeatInterval(Duration.ofSeconds(30)) // ping every session; evict after 60 s of silence
        .offlineGrace(Duration.ofSeconds(5))       // a page reload fires no offline/online pair
        .build();
    StatusBroadcaster.install(registry, friends);  // {"type":"user_status_changed",...} to online friends
    WebSocketPresence presence = WebSocketPresence.builder(registry).build();

    ServerEndpointConfig endpoint = ServerEndpointConfig.Builder.create(ChatEndpoint.class, "/ws")
        .configurator(new PresenceConfigurator(request -> tokens.verify(tokenOf(request))) {
          @Override
          public <T> T getEndpointInstance(Class<T> type) {
            return type.cast(new ChatEndpoint(presence));
          }
        })
        .build();
    Server jetty = new Server(new InetSocketAddress("127.0.0.1", port));
    ServletContextHandler context = new ServletContextHandler();
    JakartaWebSocketServletContainerInitializer.configure(context,
        (servletContext, container) -> container.addEndpoint(endpoint));
    jetty.setHandler(context);
    jetty.start();
    return new ChatServer(registry, presence, jetty);
  }

  /** Shutdown order: the registry first (users go offline, sockets close), then the adapter. */
  @Override
  public void close() throws Exception {
    registry.close();
    presence.close();
    jetty.stop();
  }
  // end::quickstart[]

  public int port() {
    return ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
  }

  public PresenceRegistry registry() {
    return registry;
  }

  static String tokenOf(HandshakeRequest request) {
    List<String> token = request.getParameterMap().get("token");
    return token == null || token.isEmpty() ? null : token.get(0);
  }

  /** Runs on port 8080 with two fixed development tokens; replace both with your own. */
  public static void main(String[] args) throws Exception {
    Map<String, String> devTokens = Map.of("alice-dev-token", "alice", "bob-dev-token", "bob");
    Map<String, Set<String>> friends = Map.of("alice", Set.of("bob"), "bob", Set.of("alice"));
    ChatServer server = start(8080, devTokens::get, user -> friends.getOrDefault(user, Set.of()));
    System.out.println("Listening on ws://127.0.0.1:" + server.port() + "/ws?token=alice-dev-token");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
      } catch (Exception e) {
        e.printStackTrace();
      }
    }));
    Thread.currentThread().join();
  }
}
