package dev.presence.spring;

import java.security.Principal;
import java.util.Objects;
import org.springframework.web.socket.WebSocketSession;

/**
 * Finds the user a new Spring {@link WebSocketSession} belongs to. A session whose user cannot be
 * resolved is refused: closed with 1008 (policy violation) and never registered.
 *
 * <p>Implementations must be thread-safe and must not block on I/O: they run on the container
 * thread that opens the session. Verify tokens during the handshake instead (see
 * {@link TokenHandshakeInterceptor}).
 */
@FunctionalInterface
public interface UserResolver {

  /**
   * The session attribute a {@link org.springframework.web.socket.server.HandshakeInterceptor}
   * sets to the authenticated user id: {@value}. Written by server code only, so trustworthy.
   */
  String USER_ATTRIBUTE = "dev.presence.user";

  /**
   * Returns the id of the user of a session being opened.
   *
   * @param session the session (its attributes are those the handshake interceptors set)
   * @return the user id, or null (or blank) if none
   */
  String resolve(WebSocketSession session);

  /**
   * Returns a resolver that tries this one, then {@code other} if this one resolved nothing.
   *
   * @param other the fallback
   * @return the combined resolver
   * @throws NullPointerException if {@code other} is null
   */
  default UserResolver orElse(UserResolver other) {
    Objects.requireNonNull(other, "other");
    return session -> {
      String id = resolve(session);
      return id != null && !id.isBlank() ? id : other.resolve(session);
    };
  }

  /**
   * The name of the authenticated {@link Principal} of the handshake (Spring Security, servlet
   * login, or a {@code HandshakeHandler} that determines the user).
   *
   * @return the resolver; resolves nothing for an anonymous handshake
   */
  static UserResolver principal() {
    return session -> {
      Principal p = session.getPrincipal();
      return p == null ? null : p.getName();
    };
  }

  /**
   * The string a handshake interceptor stored under the given session attribute.
   *
   * @param attribute the attribute name
   * @return the resolver; resolves nothing if the attribute is absent or not a string
   * @throws NullPointerException if {@code attribute} is null
   */
  static UserResolver attribute(String attribute) {
    Objects.requireNonNull(attribute, "attribute");
    return session -> session.getAttributes().get(attribute) instanceof String s ? s : null;
  }

  /**
   * The default: the {@link #USER_ATTRIBUTE} attribute, else the {@link #principal()}.
   *
   * @return the resolver
   */
  static UserResolver defaultResolver() {
    return attribute(USER_ATTRIBUTE).orElse(principal());
  }
}
