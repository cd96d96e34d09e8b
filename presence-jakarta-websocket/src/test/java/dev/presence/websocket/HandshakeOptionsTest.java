package dev.presence.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.presence.Availability;
import dev.presence.ConnectOptions;
import jakarta.websocket.server.HandshakeRequest;
import java.net.URI;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandshakeOptionsTest {

  /** A handshake with these parameters and headers (the container builds the real one). */
  private record Handshake(Map<String, List<String>> getParameterMap,
      Map<String, List<String>> getHeaders) implements HandshakeRequest {
    @Override
    public Principal getUserPrincipal() {
      return null;
    }

    @Override
    public URI getRequestURI() {
      return URI.create("/ws");
    }

    @Override
    public boolean isUserInRole(String role) {
      return false;
    }

    @Override
    public Object getHttpSession() {
      return null;
    }

    @Override
    public String getQueryString() {
      return null;
    }
  }

  @Test
  void queryParameters_copyValidSingleValues_andLeaveOutTheRest() {
    HandshakeOptions options = HandshakeOptions.queryParameters("device", "app", "tz");
    ConnectOptions o = options.optionsOf(new Handshake(Map.of(
        "device", List.of(" mobile "),
        "app", List.of("1", "2"),
        "tz", List.of("bad\u202Evalue"),
        "token", List.of("secret")), Map.of()), "alice");

    assertThat(o.metadata()).isEqualTo(Map.of("device", "mobile"));
    assertThat(o.availability()).isNull();
  }

  @Test
  void overLongValue_isLeftOut() {
    ConnectOptions o = HandshakeOptions.queryParameters("device").optionsOf(
        new Handshake(Map.of("device", List.of("d".repeat(257))), Map.of()), "alice");

    assertThat(o.metadata()).isEmpty();
  }

  @Test
  void header_isMatchedWithoutCase_andCombinesWithStoredAvailability() {
    HandshakeOptions options = HandshakeOptions.header("X-App-Version", "app")
        .and((request, userId) -> ConnectOptions.defaults().withAvailability(Availability.INVISIBLE))
        .and(HandshakeOptions.queryParameters("device"));

    ConnectOptions o = options.optionsOf(new Handshake(Map.of("device", List.of("web")),
        Map.of("x-app-version", List.of("2.3.1"))), "alice");

    assertThat(o.metadata()).isEqualTo(Map.of("app", "2.3.1", "device", "web"));
    assertThat(o.availability()).isEqualTo(Availability.INVISIBLE);
  }

  @Test
  void badKeys_failWhenBuilt_namingTheKey() {
    assertThatThrownBy(() -> HandshakeOptions.queryParameters("Device"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("metadata key must be 1 to 32 characters of [a-z0-9_.-]: 'Device'");
    assertThatThrownBy(() -> HandshakeOptions.queryParameters())
        .hasMessage("metadata keys must be 1 to 16 names: 0");
    assertThatThrownBy(() -> HandshakeOptions.queryParameters("a", "a"))
        .hasMessage("metadata keys must be distinct: [a, a]");
    assertThatThrownBy(() -> HandshakeOptions.header(" ", "app"))
        .hasMessage("header must not be blank: ' '");
  }
}
