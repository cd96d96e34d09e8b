package example;

/**
 * Your token check: returns the user a token belongs to, or null to refuse the connection. Verify a
 * signed token locally (a JWT, an HMAC): it runs on every WebSocket handshake.
 */
@FunctionalInterface
public interface Tokens {
  String verify(String token);
}
