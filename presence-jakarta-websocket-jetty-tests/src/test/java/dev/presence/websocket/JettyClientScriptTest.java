package dev.presence.websocket;

import java.net.URI;
import java.nio.file.Path;
import org.eclipse.jetty.ee10.servlet.ResourceServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jetty 12 (ee10) serves presence-client.js from the adapter jar at {@code /presence/presence-client.js}:
 * as a web application with the jar in {@code WEB-INF/lib} (no configuration), and embedded with
 * the jar on the classpath (the configuration docs/clients.md gives).
 */
class JettyClientScriptTest {
  @TempDir Path scratch;
  private Server server;

  private int start(org.eclipse.jetty.server.Handler handler) throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(handler);
    server.start();
    return connector.getLocalPort();
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void webAppWithTheJarInWebInfLib_servesTheClientWithoutConfiguration() throws Exception {
    WebAppContext app = new WebAppContext();
    app.setContextPath("/app");
    app.setWar(ClientScriptFixture.webAppWithAdapterJar(scratch).toString());
    app.setParentLoaderPriority(false);
    int port = start(app);
    ClientScriptFixture.assertServesClient(URI.create("http://127.0.0.1:" + port + "/app/"));
  }

  @Test
  void embeddedWithTheJarOnTheClasspath_servesTheClientThroughAResourceServlet() throws Exception {
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    // As docs/clients.md says: a ServletContextHandler has no WEB-INF/lib to scan, so give it the
    // classpath's META-INF/resources as its base and map a ResourceServlet on /presence/*.
    // tag::jetty-embedded[]
    context.setBaseResource(ResourceFactory.of(context).newClassLoaderResource("META-INF/resources"));
    ServletHolder client = new ServletHolder("presence-client", ResourceServlet.class);
    client.setInitParameter("pathInfoOnly", "false"); // look up /presence/..., not just /...
    client.setInitParameter("dirAllowed", "false");
    context.addServlet(client, "/presence/*");
    // end::jetty-embedded[]
    int port = start(context);
    ClientScriptFixture.assertServesClient(URI.create("http://127.0.0.1:" + port + "/"));
  }
}
