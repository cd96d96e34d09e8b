package dev.presence.websocket;

import dev.presence.ConnectOptions;
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
 * <p>Optionally, once the user is known, a {@link HandshakeOptions} finds the session's {@link
 * ConnectOptions} (metadata from query parameters or headers, the user's stored availability),
 * stored under {@link #CONNECT_OPTIONS_PROPERTY} for {@link ConnectOptionsResolver#handshake()}.
 * If it throws, the user id is not stored either, so the session is refused.
 *
 * <p>Use it programmatically ({@code ServerEndpointConfig.Builder...configurator(new
 * PresenceConfigurator(resolver))}), or subclass it with a public no-argument constructor for
 * {@code @ServerEndpoint(configurator = ...)}.
 *
 * <p>Thread-safe if its {@link HandshakeResolver} and {@link HandshakeOptions} are.
 */
public class PresenceConfigurator extends ServerEndpointConfig.Configurator {
  /** The user property under which the resolved user id (a String) is stored. */
  public static final String USER_ID_PROPERTY = "dev.presence.websocket.userId";

  /** The user property under which the session's {@link ConnectOptions} are stored. */
  public static final String CONNECT_OPTIONS_PROPERTY = "dev.presence.websocket.connectOptions";

  private static final Logger LOG = LoggerFactory.getLogger(PresenceConfigurator.class);

  private final HandshakeResolver resolver;
  private final HandshakeOptions options;

  /**
   * Creates a configurator that runs {@code resolver} on every handshake; sessions get the
   * default {@link ConnectOptions}.
   *
   * @param resolver finds the user of a handshake
   * @throws NullPointerException if {@code resolver} is null
   */
  public PresenceConfigurator(HandshakeResolver resolver) {
    this(resolver, HandshakeOptions.none());
  }

  /**
   * Creates a configurator that runs {@code resolver}, then {@code options} for a resolved user,
   * on every handshake.
   *
   * @param resolver finds the user of a handshake
   * @param options finds the session's metadata and the user's stored availability
   * @throws NullPointerException if an argument is null
   */
  public PresenceConfigurator(HandshakeResolver resolver, HandshakeOptions options) {
    this.resolver = Objects.requireNonNull(resolver, "resolver");
    this.options = Objects.requireNonNull(options, "options");
  }

  /**
   * Runs the resolver and the options, and stores the user id under {@link #USER_ID_PROPERTY}
   * and the options under {@link #CONNECT_OPTIONS_PROPERTY}; removes any values there otherwise.
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
    ConnectOptions connectOptions = null;
    if (userId != null && !userId.isBlank()) {
      try {
        connectOptions = options.optionsOf(request, userId);
        if (connectOptions == null) {
          connectOptions = ConnectOptions.defaults();
        }
      } catch (RuntimeException e) {
        LOG.warn("Connect options failed for a handshake to {}; the session will be refused",
            request.getRequestURI(), e);
        userId = null;
      }
    }
    if (userId != null && !userId.isBlank()) {
      config.getUserProperties().put(USER_ID_PROPERTY, userId);
      config.getUserProperties().put(CONNECT_OPTIONS_PROPERTY, connectOptions);
    } else {
      config.getUserProperties().remove(USER_ID_PROPERTY);
      config.getUserProperties().remove(CONNECT_OPTIONS_PROPERTY);
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
