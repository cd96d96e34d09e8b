/**
 * Presence on Spring WebSocket (raw handler and STOMP). Spring's jars are automatic modules
 * (Automatic-Module-Name only) and provided by the host. Nothing here is found by Spring's
 * component scanning: the starter (or the host) builds these objects in its own {@code @Bean}
 * methods, so no package needs to be open for reflection.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.presence.spring {
  requires transitive dev.presence;
  requires org.slf4j;
  // types of these appear in our API (handlers, interceptors, configurers, events)
  requires static transitive spring.websocket;
  requires static transitive spring.web;
  requires static transitive spring.context;
  requires static transitive spring.messaging;
  requires static spring.core;
  // NativeSendTimeout sets the send timeout of a JSR-356 session when the container has one
  requires static jakarta.websocket.client;

  exports dev.presence.spring;
  exports dev.presence.spring.stomp;
}
