package dev.presence.websocket;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.WebResourceRoot;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.servlets.DefaultServlet;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.webresources.StandardRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tomcat 11 serves presence-client.js from the adapter jar at {@code /presence/presence-client.js}:
 * as a web application with the jar in {@code WEB-INF/lib} (no configuration), and embedded with
 * the jar on the classpath (the configuration docs/clients.md gives).
 */
class TomcatClientScriptTest {
  @TempDir Path scratch;
  private Tomcat tomcat;
  private Connector connector;

  @BeforeEach
  void create() throws Exception {
    tomcat = new Tomcat();
    tomcat.setBaseDir(Files.createDirectories(scratch.resolve("tomcat")).toString());
    connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);
  }

  @AfterEach
  void stop() throws Exception {
    tomcat.stop();
    tomcat.destroy();
  }

  @Test
  void webAppWithTheJarInWebInfLib_servesTheClientWithoutConfiguration() throws Exception {
    // What a standalone Tomcat's conf/web.xml gives every application: the default servlet and the
    // MIME types (its JSP servlet is left out: there is no Jasper on this classpath).
    tomcat.setAddDefaultWebXmlToWebapp(false);
    Context app = tomcat.addWebapp("/app", ClientScriptFixture.webAppWithAdapterJar(scratch).toString());
    Tomcat.addServlet(app, "default", new DefaultServlet());
    app.addServletMappingDecoded("/", "default");
    Tomcat.addDefaultMimeTypeMappings(app);
    tomcat.start();
    ClientScriptFixture.assertServesClient(URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/app/"));
  }

  @Test
  void embeddedWithTheJarOnTheClasspath_servesTheClientFromAResourceJarSet() throws Exception {
    Context context = tomcat.addContext("", Files.createDirectories(scratch.resolve("docs")).toString());
    // As docs/clients.md says: a context made with addContext scans no jars, so mount the adapter
    // jar's META-INF/resources as a resource jar and add the default servlet.
    // tag::tomcat-embedded[]
    WebResourceRoot resources = new StandardRoot(context);
    resources.createWebResourceSet(WebResourceRoot.ResourceSetType.RESOURCE_JAR, "/",
        WebSocketPresence.class.getProtectionDomain().getCodeSource().getLocation(), "/META-INF/resources");
    context.setResources(resources);
    Tomcat.addServlet(context, "default", new DefaultServlet());
    context.addServletMappingDecoded("/", "default");
    Tomcat.addDefaultMimeTypeMappings(context);
    // end::tomcat-embedded[]
    tomcat.start();
    ClientScriptFixture.assertServesClient(URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/"));
  }
}
