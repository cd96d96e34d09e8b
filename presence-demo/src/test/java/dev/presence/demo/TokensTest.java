package dev.presence.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokensTest {
  private final Tokens tokens = new Tokens();

  @Test
  void issuedToken_verifiesAsItsUser() {
    assertThat(tokens.verify(tokens.issue("alice"))).isEqualTo("alice");
    assertThat(tokens.verify(tokens.issue("a.b_c-9"))).isEqualTo("a.b_c-9");
  }

  @Test
  void forgedTamperedOrGarbageTokens_verifyAsNobody() {
    String alice = tokens.issue("alice");
    String bobPayload = tokens.issue("bob").substring(0, tokens.issue("bob").indexOf('.'));
    assertThat(tokens.verify(bobPayload + alice.substring(alice.indexOf('.')))).isNull();
    assertThat(tokens.verify(alice + "x")).isNull();
    assertThat(tokens.verify(alice.replace('.', '!'))).isNull();
    assertThat(tokens.verify(new Tokens().issue("alice"))).as("another process's key").isNull();
    assertThat(tokens.verify(null)).isNull();
    assertThat(tokens.verify("")).isNull();
    assertThat(tokens.verify(".")).isNull();
    assertThat(tokens.verify("a.b.c")).isNull();
    assertThat(tokens.verify("%%%.###")).isNull();
  }
}
