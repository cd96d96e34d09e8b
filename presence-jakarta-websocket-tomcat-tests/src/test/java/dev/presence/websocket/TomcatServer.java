package dev.presence.websocket;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.util.List;
import org.apache.catalina.Context;
import org.apache.catalina.authenticator.BasicAuthenticator;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.realm.GenericPrincipal;
import org.apache.catalina.realm.RealmBase;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.LoginConfig;
import org.apache.tomcat.util.descriptor.web.SecurityCollection;
import org.apache.tomcat.util.descriptor.web.SecurityConstraint;
import org.apache.tomcat.websocket.server.WsSci;

/** Embedded Tomcat 11 (Jakarta WebSocket 2.2). */
final class TomcatServer implements ContainerServer {
  private Tomcat tomcat;
  private Connector connector;

  @Override
  public int start(List<Class<?>> annotated, List<ServerEndpointConfig> programmatic)
      throws Exception {
    Path base = Files.createTempDirectory("presence-tomcat");
    tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    connector.setProperty("acceptCount", "1024");
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", base.toString());
    context.addServletContainerInitializer(new WsSci(), null);
    context.addServletContainerInitializer((classes, servletContext) -> {
      ServerContainer container =
          (ServerContainer) servletContext.getAttribute(ServerContainer.class.getName());
      try {
        for (Class<?> endpoint : annotated) {
          container.addEndpoint(endpoint);
        }
        for (ServerEndpointConfig config : programmatic) {
          container.addEndpoint(config);
        }
      } catch (DeploymentException e) {
        throw new ServletException(e);
      }
    }, null);
    basicAuth(context);
    // The upgrade filter only sees requests that map to a servlet.
    Tomcat.addServlet(context, "default", new HttpServlet() {
      private static final long serialVersionUID = 1L;
    });
    context.addServletMappingDecoded("/", "default");
    tomcat.start();
    return connector.getLocalPort();
  }

  private static void basicAuth(Context context) {
    context.setRealm(new RealmBase() {
      @Override
      protected String getPassword(String username) {
        return SECURE_USER.equals(username) ? SECURE_PASSWORD : null;
      }

      @Override
      protected Principal getPrincipal(String username) {
        return SECURE_USER.equals(username) ? new GenericPrincipal(username, List.of(ROLE)) : null;
      }
    });
    context.addSecurityRole(ROLE);
    SecurityCollection paths = new SecurityCollection();
    paths.addPattern(SECURE_PATHS);
    SecurityConstraint constraint = new SecurityConstraint();
    constraint.addAuthRole(ROLE);
    constraint.addCollection(paths);
    context.addConstraint(constraint);
    LoginConfig login = new LoginConfig();
    login.setAuthMethod("BASIC");
    login.setRealmName("presence-test");
    context.setLoginConfig(login);
    context.getPipeline().addValve(new BasicAuthenticator());
  }

  @Override
  public void stop() throws Exception {
    tomcat.stop();
    tomcat.destroy();
  }
}
