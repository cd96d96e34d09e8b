package dev.presence.demo;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies the demo's bearer tokens: {@code base64url(userId) "." base64url(HMAC-SHA256)}
 * under a random key made per process, so tokens die with the process. Verification is local and
 * takes microseconds, which is why it may run on the WebSocket handshake thread.
 *
 * <p>Thread-safe: the key is immutable and a {@link Mac} is made per call.
 */
final class Tokens {
  private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DEC = Base64.getUrlDecoder();
  private final byte[] key;

  Tokens() {
    this.key = new byte[32];
    new SecureRandom().nextBytes(key);
  }

  String issue(String userId) {
    String id = ENC.encodeToString(userId.getBytes(StandardCharsets.UTF_8));
    return id + "." + ENC.encodeToString(mac(id));
  }

  /** Returns the user of a valid token, or null for a missing, malformed or forged one. */
  String verify(String token) {
    if (token == null) {
      return null;
    }
    int dot = token.indexOf('.');
    if (dot <= 0 || dot != token.lastIndexOf('.')) {
      return null;
    }
    String id = token.substring(0, dot);
    try {
      byte[] given = DEC.decode(token.substring(dot + 1));
      if (!MessageDigest.isEqual(given, mac(id))) {
        return null;
      }
      String userId = new String(DEC.decode(id), StandardCharsets.UTF_8);
      return DemoStore.isValidUserId(userId) ? userId : null;
    } catch (IllegalArgumentException e) {
      return null; // not base64url
    }
  }

  private byte[] mac(String payload) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required of every Java runtime", e);
    }
  }
}
