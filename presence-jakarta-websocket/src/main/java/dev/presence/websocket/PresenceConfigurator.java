package dev.presence.websocket;

import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ServerEndpointConfig.Configurator} that resolves the user during the HTTP handshake
 * (for example by validating a token from a header or the query string) and stores the user id in
 * the session's user properties, where {@link UserResolver#handshake()} (part of the default
 * resolver) finds it when the session opens. If the resolver returns nothing or throws, nothing
 * is stored and the session is refused when it opens.
 *
 * <p>Use it programmatically ({@code ServerEndpointConfig.Builder...configurator(new
 * PresenceConfigurator(resolver))}), or subclass it with a public no-argument constructor for
 * {@code @ServerEndpoint(configurator = ...)}.
 *
 * <p>Thread-safe if its {@link HandshakeResolver} is.
 */
public class PresenceConfigurator extends ServerEndpointConfig.Configurator {
  /** The user property under which the resolved user id (a String) is stored. */
  public static final String USER_ID_PROPERTY = "dev.presence.websocket.userId";

  private static final Logger LOG = LoggerFactory.getLogger(PresenceConfigurator.class);

  private final HandshakeResolver resolver;

  /**
   * Creates a configurator that runs {@code resolver} on every handshake.
   *
   * @param resolver finds the user of a handshake
   * @throws NullPointerException if {@code resolver} is null
   */
  public PresenceConfigurator(HandshakeResolver resolver) {
    this.resolver = Objects.requireNonNull(resolver, "resolver");
  }

  /**
   * Runs the resolver and stores the user id under {@link #USER_ID_PROPERTY}; removes any value
   * there otherwise.
   *
   * @param config this handshake's configuration (its user properties become the session's)
   * @param request the handshake request
   * @param response the handshake response
   */
  @Override
  public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request,
      HandshakeResponse response) {
    super.modifyHandshake(config, request, response);
    String userId;
    try {
      userId = resolver.userIdOf(request);
    } catch (RuntimeException e) {
      LOG.warn("User resolution failed for a handshake to {}; the session will be refused",
          request.getRequestURI(), e);
      userId = null;
    }
    if (userId != null && !userId.isBlank()) {
      config.getUserProperties().put(USER_ID_PROPERTY, userId);
    } else {
      config.getUserProperties().remove(USER_ID_PROPERTY);
    }
  }

  /**
   * Finds the user of a handshake, e.g. by validating a token. Runs on the container's request
   * thread during the upgrade; must be thread-safe. Keep it fast: verify a signed token locally
   * rather than calling a remote service.
   */
  @FunctionalInterface
  public interface HandshakeResolver {

    /**
     * Returns the user of a handshake.
     *
     * @param request the handshake: headers, query parameters ({@link
     *     HandshakeRequest#getParameterMap()}), principal, HTTP session
     * @return the user id, or null (or blank) if the handshake does not identify a user
     */
    @Nullable String userIdOf(HandshakeRequest request);
  }
}
