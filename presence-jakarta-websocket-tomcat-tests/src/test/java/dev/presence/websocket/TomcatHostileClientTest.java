package dev.presence.websocket;

/** The hostile-client suite on Tomcat. */
class TomcatHostileClientTest extends HostileClientSuite {
  @Override
  ContainerServer server() {
    return new TomcatServer();
  }
}
