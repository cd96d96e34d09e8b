package dev.presence.websocket;

import dev.presence.ConnectOptions;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;
import org.jspecify.annotations.Nullable;

/**
 * Finds the {@link ConnectOptions} a new WebSocket session is registered with: its metadata and
 * the user's stored availability and status text (see {@link
 * dev.presence.PresenceRegistry#connect(String, String, dev.presence.Outbound, ConnectOptions)}).
 * If it throws, the session is refused (closed with 1008 and never registered), so that a user
 * who wants to be invisible never appears online by mistake.
 *
 * <p>Implementations must be thread-safe; they run on the container thread that opens the
 * session and must not block on I/O.
 */
@FunctionalInterface
public interface ConnectOptionsResolver {

  /**
   * Returns the options of a session being opened.
   *
   * @param session the session being opened
   * @param config its endpoint configuration (its user properties are this session's)
   * @param userId the session's resolved user
   * @return the options; null means {@link ConnectOptions#defaults()}
   */
  @Nullable ConnectOptions resolve(Session session, EndpointConfig config, String userId);

  /**
   * The options that a {@link PresenceConfigurator} found during the handshake with its {@link
   * HandshakeOptions}, stored under {@link PresenceConfigurator#CONNECT_OPTIONS_PROPERTY};
   * {@link ConnectOptions#defaults()} if there are none. The default resolver.
   *
   * @return the resolver
   */
  static ConnectOptionsResolver handshake() {
    return (session, config, userId) -> {
      Object options = config.getUserProperties().get(PresenceConfigurator.CONNECT_OPTIONS_PROPERTY);
      if (options == null) {
        options = session.getUserProperties().get(PresenceConfigurator.CONNECT_OPTIONS_PROPERTY);
      }
      return options instanceof ConnectOptions o ? o : ConnectOptions.defaults();
    };
  }
}
