package dev.presence.websocket;

import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;
import java.security.Principal;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Finds the user a new WebSocket session belongs to. A session whose user cannot be resolved is
 * refused: closed with {@link jakarta.websocket.CloseReason.CloseCodes#VIOLATED_POLICY} and never
 * registered.
 *
 * <p>Implementations must be thread-safe; they run on the container thread that opens the
 * session and must not block on I/O (validate tokens in the handshake, see
 * {@link PresenceConfigurator}).
 */
@FunctionalInterface
public interface UserResolver {

  /**
   * Returns the id of the user of a session being opened.
   *
   * @param session the session being opened
   * @param config the endpoint configuration of this session (its user properties are this
   *     session's)
   * @return the user id, or null (or blank) if the user cannot be resolved
   */
  @Nullable String resolve(Session session, EndpointConfig config);

  /**
   * Returns a resolver that tries this one, then {@code other} if this one resolved nothing.
   *
   * @param other the fallback
   * @return the combined resolver
   * @throws NullPointerException if {@code other} is null
   */
  default UserResolver orElse(UserResolver other) {
    Objects.requireNonNull(other, "other");
    return (session, config) -> {
      String id = resolve(session, config);
      return id != null && !id.isBlank() ? id : other.resolve(session, config);
    };
  }

  /**
   * The name of the authenticated {@link Principal} of the handshake ({@link
   * Session#getUserPrincipal()}), as established by the container's security (servlet login,
   * a security filter).
   *
   * @return the resolver; resolves nothing for an unauthenticated handshake
   */
  static UserResolver principal() {
    return (session, config) -> {
      Principal p = session.getUserPrincipal();
      return p == null ? null : p.getName();
    };
  }

  /**
   * The user id that a {@link PresenceConfigurator} stored during the handshake, under
   * {@link PresenceConfigurator#USER_ID_PROPERTY}. Trustworthy: the property is written by server
   * code only.
   *
   * @return the resolver; resolves nothing if the configurator did not resolve a user
   */
  static UserResolver handshake() {
    return (session, config) -> {
      Object id = config.getUserProperties().get(PresenceConfigurator.USER_ID_PROPERTY);
      if (id == null) {
        id = session.getUserProperties().get(PresenceConfigurator.USER_ID_PROPERTY);
      }
      return id instanceof String ? (String) id : null;
    };
  }

  /**
   * The default: {@link #handshake()}, else {@link #principal()}.
   *
   * @return the resolver
   */
  static UserResolver defaultResolver() {
    return handshake().orElse(principal());
  }

  /**
   * The value of a path parameter such as {@code {client_id}} in {@code /ws/{client_id}}.
   *
   * <p><b>This trusts the client:</b> anyone can open {@code /ws/alice} and appear online as
   * alice. It exists only for compatibility with clients that identify themselves this way;
   * prefer {@link #handshake()} with a token the server validates.
   *
   * @param name the path parameter name, e.g. {@code "client_id"}
   * @return the resolver; resolves nothing if the parameter is absent or blank
   * @throws IllegalArgumentException if {@code name} is blank
   * @throws NullPointerException if {@code name} is null
   */
  static UserResolver pathParameter(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("path parameter name must not be blank: '" + name + "'");
    }
    return (session, config) -> {
      Map<String, String> params = session.getPathParameters();
      return params == null ? null : params.get(name);
    };
  }
}
