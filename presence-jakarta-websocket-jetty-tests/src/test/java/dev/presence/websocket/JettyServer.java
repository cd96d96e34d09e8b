package dev.presence.websocket;

import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.security.ConstraintMapping;
import org.eclipse.jetty.ee10.servlet.security.ConstraintSecurityHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.security.Constraint;
import org.eclipse.jetty.security.HashLoginService;
import org.eclipse.jetty.security.UserStore;
import org.eclipse.jetty.security.authentication.BasicAuthenticator;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.security.Credential;

/** Embedded Jetty 12 (ee10, Jakarta WebSocket 2.1). */
final class JettyServer implements ContainerServer {
  private Server server;

  @Override
  public int start(List<Class<?>> annotated, List<ServerEndpointConfig> programmatic)
      throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    connector.setAcceptQueueSize(1024);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SECURITY);
    context.setContextPath("/");
    context.setSecurityHandler(basicAuth());
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

  private static ConstraintSecurityHandler basicAuth() {
    UserStore users = new UserStore();
    users.addUser(SECURE_USER, Credential.getCredential(SECURE_PASSWORD), new String[] {ROLE});
    HashLoginService login = new HashLoginService("presence-test");
    login.setUserStore(users);
    ConstraintMapping mapping = new ConstraintMapping();
    mapping.setPathSpec(SECURE_PATHS);
    mapping.setConstraint(Constraint.from(ROLE));
    ConstraintSecurityHandler security = new ConstraintSecurityHandler();
    security.setAuthenticator(new BasicAuthenticator());
    security.setLoginService(login);
    security.addConstraintMapping(mapping);
    return security;
  }

  @Override
  public void stop() throws Exception {
    server.stop();
  }
}
