package dev.presence.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.presence.test.FakeTime;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TokensTest {
  private final FakeTime time = new FakeTime();
  private final Tokens tokens = new Tokens(time.clock(), Duration.ofHours(1));

  @Test
  void issuedToken_verifiesAsItsUser() {
    assertThat(tokens.verify(tokens.issue("alice"))).isEqualTo("alice");
    assertThat(tokens.verify(tokens.issue("a.b_c-9"))).isEqualTo("a.b_c-9");
  }

  @Test
  void token_expiresAfterItsLifetime_measuredOnTheInjectedClock() {
    String alice = tokens.issue("alice");
    time.advance(Duration.ofMinutes(59).plusSeconds(59));
    assertThat(tokens.verify(alice)).isEqualTo("alice");
    time.advance(Duration.ofSeconds(1));
    assertThat(tokens.verify(alice)).isNull();
    assertThat(tokens.verify(tokens.issue("alice"))).as("a fresh login").isEqualTo("alice");
  }

  @Test
  void defaultLifetime_is24Hours() {
    FakeTime t = new FakeTime();
    Tokens d = new Tokens(t.clock(), Tokens.DEFAULT_TTL);
    String bob = d.issue("bob");
    t.advance(Duration.ofHours(24).minusSeconds(1));
    assertThat(d.verify(bob)).isEqualTo("bob");
    t.advance(Duration.ofSeconds(1));
    assertThat(d.verify(bob)).isNull();
    assertThat(Tokens.DEFAULT_TTL).isEqualTo(Duration.ofHours(24));
  }

  @Test
  void onlyTheCanonicalEncoding_isAccepted() {
    String t = tokens.issue("carol");
    String[] parts = t.split("\\.");
    assertThat(parts).hasSize(3);
    assertThat(tokens.verify(t + "=")).as("padded MAC").isNull();
    assertThat(tokens.verify(parts[0] + "=." + parts[1] + "." + parts[2])).as("padded id").isNull();
    assertThat(tokens.verify(parts[0] + ".0" + parts[1] + "." + parts[2])).as("leading zero").isNull();
    assertThat(tokens.verify(parts[0] + ".+" + parts[1] + "." + parts[2])).as("plus sign").isNull();
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char last = parts[2].charAt(parts[2].length() - 1);
    String sameBytes = parts[2].substring(0, parts[2].length() - 1)
        + alphabet.charAt(alphabet.indexOf(last) ^ 1);
    assertThat(tokens.verify(parts[0] + "." + parts[1] + "." + sameBytes))
        .as("other unused trailing bits").isNull();
    assertThat(tokens.verify(" " + t)).as("leading space").isNull();
  }

  @Test
  void forgedTamperedOrGarbageTokens_verifyAsNobody() {
    String alice = tokens.issue("alice");
    String bob = tokens.issue("bob");
    String bobId = bob.substring(0, bob.indexOf('.'));
    assertThat(tokens.verify(bobId + alice.substring(alice.indexOf('.')))).isNull();
    String later = alice.replaceFirst("\\.(\\d+)\\.", "." + (Long.parseLong(alice.split("\\.", -1)[1]) + 3600) + ".");
    assertThat(tokens.verify(later)).as("extended expiry").isNull();
    assertThat(tokens.verify(alice + "x")).isNull();
    assertThat(tokens.verify(alice.replace('.', '!'))).isNull();
    assertThat(tokens.verify(new Tokens(time.clock(), Duration.ofHours(1)).issue("alice")))
        .as("another process's key").isNull();
    assertThat(tokens.verify(null)).isNull();
    assertThat(tokens.verify("")).isNull();
    assertThat(tokens.verify(".")).isNull();
    assertThat(tokens.verify("a.b.c")).isNull();
    assertThat(tokens.verify("%%%.1.###")).isNull();
    assertThat(tokens.verify("a".repeat(100_000))).isNull();
  }

  @Test
  void lifetimeUnderOneSecond_isRefused() {
    assertThatThrownBy(() -> new Tokens(time.clock(), Duration.ofMillis(500)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("token ttl must be at least 1s: PT0.5S");
  }
}
