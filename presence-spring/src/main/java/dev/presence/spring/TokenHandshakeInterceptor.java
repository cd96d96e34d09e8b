package dev.presence.spring;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.util.UriUtils;

/**
 * Authenticates a WebSocket handshake by a bearer token and stores the user id under
 * {@link UserResolver#USER_ATTRIBUTE}; a handshake without a valid token is answered 401 and no
 * socket is opened. The token is read from the {@code Authorization: Bearer …} header, else from
 * the {@code access_token} query parameter (browsers cannot set headers on a WebSocket; keep such
 * URLs out of access logs).
 *
 * <p>Thread-safe if the verifier is.
 */
public final class TokenHandshakeInterceptor implements HandshakeInterceptor {
  private static final Logger LOG = LoggerFactory.getLogger(TokenHandshakeInterceptor.class);
  /** Longest token looked at; longer ones are refused without calling the verifier. */
  public static final int MAX_TOKEN_LENGTH = 8192;
  private final Function<String, String> verifier;

  private TokenHandshakeInterceptor(Function<String, String> verifier) {
    this.verifier = verifier;
  }

  /**
   * Returns an interceptor that asks {@code verifier} for the user of a token.
   *
   * @param verifier token → user id, or null for an invalid token; called on the handshake
   *     thread, so it should verify locally (a signed token) rather than call a remote service
   * @return the interceptor
   * @throws NullPointerException if {@code verifier} is null
   */
  public static TokenHandshakeInterceptor of(Function<String, String> verifier) {
    return new TokenHandshakeInterceptor(Objects.requireNonNull(verifier, "verifier"));
  }

  @Override
  public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response,
      WebSocketHandler wsHandler, Map<String, Object> attributes) {
    String token = tokenOf(request);
    String user = null;
    if (token != null && !token.isEmpty() && token.length() <= MAX_TOKEN_LENGTH) {
      try {
        user = verifier.apply(token);
      } catch (RuntimeException e) {
        LOG.warn("Token verification failed; refusing the handshake", e);
      }
    }
    if (user == null || user.isBlank()) {
      response.setStatusCode(HttpStatus.UNAUTHORIZED);
      return false;
    }
    attributes.put(UserResolver.USER_ATTRIBUTE, user);
    return true;
  }

  @Override
  public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response,
      WebSocketHandler wsHandler, Exception exception) {}

  private static String tokenOf(ServerHttpRequest request) {
    // getValuesAsList: the same method on Spring 6.2 and 7 (HttpHeaders.get changed between them)
    List<String> auth = request.getHeaders().getValuesAsList("Authorization");
    {
      for (String value : auth) {
        if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
          return value.substring(7).strip();
        }
      }
    }
    String raw = UriComponentsBuilder.fromUri(request.getURI()).build().getQueryParams()
        .getFirst("access_token");
    return raw == null ? null : UriUtils.decode(raw, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "TokenHandshakeInterceptor(" + verifier + ")";
  }
}
