/** Presence for Jakarta WebSocket containers (Jetty 12, Tomcat 11, any compliant container). */
module dev.presence.websocket {
  requires transitive dev.presence;
  requires static transitive jakarta.websocket;
  requires org.slf4j;

  exports dev.presence.websocket;
}
