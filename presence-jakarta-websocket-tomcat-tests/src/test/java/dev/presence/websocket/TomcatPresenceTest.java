package dev.presence.websocket;

/** The behavioural suite on Tomcat. */
class TomcatPresenceTest extends PresenceContainerSuite {
  @Override
  ContainerServer server() {
    return new TomcatServer();
  }
}
