package dev.presence.websocket;

/** The hostile-client suite on Jetty. */
class JettyHostileClientTest extends HostileClientSuite {
  @Override
  ContainerServer server() {
    return new JettyServer();
  }
}
