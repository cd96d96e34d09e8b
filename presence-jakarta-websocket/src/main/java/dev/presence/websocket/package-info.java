/**
 * Presence for Jakarta WebSocket containers (Jetty 12, Tomcat 11, any compliant container):
 * {@link dev.presence.websocket.WebSocketPresence} registers each authenticated session with a
 * {@link dev.presence.PresenceRegistry}, and {@link dev.presence.websocket.PresenceConfigurator}
 * takes the user's identity from the handshake.
 *
 * <p>Null-marked (JSpecify): no parameter or return value is null unless it is annotated
 * {@code @Nullable}.
 */
@NullMarked
package dev.presence.websocket;

import org.jspecify.annotations.NullMarked;
