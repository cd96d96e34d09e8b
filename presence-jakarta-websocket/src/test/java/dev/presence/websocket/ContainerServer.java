package dev.presence.websocket;

import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;

/** An embedded container the suites run on (Jetty 12 or Tomcat 11), on 127.0.0.1, port 0. */
interface ContainerServer {
  /**
   * Paths each container protects with its BASIC authentication (role {@value #ROLE}); its only
   * user is {@value #SECURE_USER} with password {@value #SECURE_PASSWORD}.
   */
  String SECURE_PATHS = "/secure/*";
  String ROLE = "user";
  String SECURE_USER = "erin";
  String SECURE_PASSWORD = "erins-password";

  /**
   * Starts the container with these endpoints.
   *
   * @return the port it listens on
   */
  int start(List<Class<?>> annotated, List<ServerEndpointConfig> programmatic) throws Exception;

  void stop() throws Exception;
}
