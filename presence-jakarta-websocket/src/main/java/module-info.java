/** Presence for Jakarta WebSocket containers (Jetty 12, Tomcat 11, any compliant container). */
module dev.presence.websocket {
  requires transitive dev.presence;
  requires static transitive jakarta.websocket;
  requires org.slf4j;
  requires static transitive org.jspecify; // @Nullable appears in the API
  // Optional: Jetty's asynchronous ping/close/abort, used only when Jetty is present.
  requires static org.eclipse.jetty.websocket.core.common;
  requires static org.eclipse.jetty.util;

  exports dev.presence.websocket;
}
