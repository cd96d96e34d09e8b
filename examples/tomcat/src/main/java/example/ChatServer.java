package example;

import dev.presence.Audience;
import dev.presence.PresenceRegistry;
import dev.presence.StatusBroadcaster;
import dev.presence.websocket.PresenceConfigurator;
import dev.presence.websocket.WebSocketPresence;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;

/** A minimal host on embedded Tomcat 11: who is online, told to their friends as it changes. */
public final class ChatServer implements AutoCloseable {
  private final PresenceRegistry registry;
  private final WebSocketPresence presence;
  private final Tomcat tomcat;
  private final Connector connector;

  private ChatServer(PresenceRegistry registry, WebSocketPresence presence, Tomcat tomcat,
      Connector connector) {
    this.registry = registry;
    this.presence = presence;
    this.tomcat = tomcat;
    this.connector = connector;
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
    Path base = Files.createTempDirectory("presence-example");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector connector = new Connector();
    connector.setPort(port);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", base.toString());
    context.addServletContainerInitializer(new WsSci(), null);
    context.addServletContainerInitializer((classes, servletContext) -> {
      try {
        ((ServerContainer) servletContext.getAttribute(ServerContainer.class.getName())).addEndpoint(endpoint);
      } catch (DeploymentException e) {
        throw new ServletException(e);
      }
    }, null);
    Tomcat.addServlet(context, "default", new HttpServlet() {}); // the upgrade needs a mapped servlet
    context.addServletMappingDecoded("/", "default");
    tomcat.start();
    return new ChatServer(registry, presence, tomcat, connector);
  }

  /** Shutdown order: the registry first (users go offline, sockets close), then the adapter. */
  @Override
  public void close() throws Exception {
    registry.close();
    presence.close();
    tomcat.stop();
    tomcat.destroy();
  }
  // end::quickstart[]

  public int port() {
    return connector.getLocalPort();
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
