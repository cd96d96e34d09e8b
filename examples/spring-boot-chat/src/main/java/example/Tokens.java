package example;

/**
 * Your token check: returns the user a token belongs to, or null to refuse the handshake. Verify
 * a signed token locally (a JWT, an HMAC): it runs on every WebSocket handshake.
 */
@FunctionalInterface
public interface Tokens {
  String verify(String token);

  /** Demo only: "demo-alice" is alice. Never use this in production. */
  static Tokens demo() {
    return token -> token.startsWith("demo-") && token.length() > 5 ? token.substring(5) : null;
  }
}
