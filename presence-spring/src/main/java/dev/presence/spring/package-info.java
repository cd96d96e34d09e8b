/**
 * Presence for Spring WebSocket applications: {@link dev.presence.spring.SpringWebSocketPresence}
 * decorates a raw {@code WebSocketHandler}; {@link dev.presence.spring.stomp.StompPresence} follows
 * STOMP sessions. Spring Framework 6.2 and 7 are supported; Spring is a provided dependency.
 */
package dev.presence.spring;
