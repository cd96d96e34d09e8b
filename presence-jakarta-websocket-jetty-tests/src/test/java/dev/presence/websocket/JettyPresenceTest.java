package dev.presence.websocket;

import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** The behavioural suite on embedded Jetty 12 (ee10, Jakarta WebSocket 2.1). */
class JettyPresenceTest extends PresenceContainerSuite {
  private Server server;

  @Override
  int startServer(List<Class<?>> annotated, List<ServerEndpointConfig> programmatic)
      throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    connector.setAcceptQueueSize(1024);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    server.setHandler(context);
    JakartaWebSocketServletContainerInitializer.configure(context, (servletContext, container) -> {
      for (Class<?> endpoint : annotated) {
        container.addEndpoint(endpoint);
      }
      for (ServerEndpointConfig config : programmatic) {
        container.addEndpoint(config);
      }
    });
    server.start();
    return connector.getLocalPort();
  }

  @Override
  void stopServer() throws Exception {
    server.stop();
  }
}
