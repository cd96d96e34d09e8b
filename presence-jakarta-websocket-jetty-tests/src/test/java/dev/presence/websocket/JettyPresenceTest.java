package dev.presence.websocket;

/** The behavioural suite on Jetty. */
class JettyPresenceTest extends PresenceContainerSuite {
  @Override
  ContainerServer server() {
    return new JettyServer();
  }
}
