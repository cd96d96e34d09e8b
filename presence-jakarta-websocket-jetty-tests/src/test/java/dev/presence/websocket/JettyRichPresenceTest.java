package dev.presence.websocket;

/** The rich presence protocol suite on Jetty. */
class JettyRichPresenceTest extends RichPresenceSuite {
  @Override
  ContainerServer server() {
    return new JettyServer();
  }
}
