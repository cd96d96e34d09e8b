package dev.presence.websocket;

/** The rich presence protocol suite on Tomcat. */
class TomcatRichPresenceTest extends RichPresenceSuite {
  @Override
  ContainerServer server() {
    return new TomcatServer();
  }
}
