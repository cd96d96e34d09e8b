package dev.presence.demo;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies the demo's bearer tokens:
 * {@code base64url(userId) "." expiresAt "." base64url(HMAC-SHA256(base64url(userId) "." expiresAt))}
 * where {@code expiresAt} is in epoch seconds (decimal, no sign, no leading zero) and base64url is
 * unpadded, under a random key made per process, so tokens die with the process. A token is
 * accepted only in exactly this, its canonical, encoding (no padding, no non-zero trailing bits,
 * no other spelling of the number: the whole text is compared, in constant time, with the token
 * the server would issue), and only before it expires. Verification is local and takes
 * microseconds, which is why it may run on the WebSocket handshake thread.
 *
 * <p>Thread-safe: the key is immutable and a {@link Mac} is made per call.
 */
final class Tokens {
  /** How long a token is valid when no lifetime is given: 24 hours. */
  static final Duration DEFAULT_TTL = Duration.ofHours(24);

  private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DEC = Base64.getUrlDecoder();
  private final byte[] key;
  private final Clock clock;
  private final long ttlSeconds;

  /** Tokens on the system clock, valid for {@link #DEFAULT_TTL}. */
  Tokens() {
    this(Clock.systemUTC(), DEFAULT_TTL);
  }

  /**
   * Tokens valid for {@code ttl} from issue, as told by {@code clock}.
   *
   * @throws IllegalArgumentException if {@code ttl} is shorter than one second
   */
  Tokens(Clock clock, Duration ttl) {
    this.clock = Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.toSeconds() < 1) {
      throw new IllegalArgumentException("token ttl must be at least 1s: " + ttl);
    }
    this.ttlSeconds = ttl.toSeconds();
    this.key = new byte[32];
    new SecureRandom().nextBytes(key);
  }

  String issue(String userId) {
    return sign(ENC.encodeToString(userId.getBytes(StandardCharsets.UTF_8)),
        clock.instant().getEpochSecond() + ttlSeconds);
  }

  /**
   * Returns the user of a valid token, or null for a missing, malformed, non-canonical, forged or
   * expired one.
   */
  String verify(String token) {
    if (token == null || token.length() > 200) {
      return null;
    }
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (first <= 0 || second < 0) {
      return null;
    }
    String id = token.substring(0, first);
    long expiresAt;
    String userId;
    try {
      expiresAt = Long.parseLong(token.substring(first + 1, second));
      userId = new String(DEC.decode(id), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null; // not a number, or not base64url
    }
    String canonical = sign(id, expiresAt);
    if (!MessageDigest.isEqual(canonical.getBytes(StandardCharsets.UTF_8),
        token.getBytes(StandardCharsets.UTF_8))) {
      return null; // forged, or the same bytes spelled differently
    }
    if (clock.instant().getEpochSecond() >= expiresAt) {
      return null;
    }
    return DemoStore.isValidUserId(userId) && ENC.encodeToString(
        userId.getBytes(StandardCharsets.UTF_8)).equals(id) ? userId : null;
  }

  private String sign(String id, long expiresAt) {
    String payload = id + "." + expiresAt;
    return payload + "." + ENC.encodeToString(mac(payload));
  }

  private byte[] mac(String payload) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required of every Java runtime", e);
    }
  }
}
