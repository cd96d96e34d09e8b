package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PresenceProtocolTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final PresenceProtocol protocol = PresenceProtocol.standard();

  private ClientMessage parse(String text) {
    return protocol.parse(text);
  }

  private void rejected(String text, String message) {
    assertThatThrownBy(() -> parse(text))
        .isInstanceOf(PresenceProtocolException.class)
        .hasMessage(message);
  }

  @Test
  void pongAndActivity() {
    assertThat(parse("{\"type\":\"pong\"}")).isInstanceOf(ClientMessage.Pong.class);
    assertThat(parse(" { \"ts\": 5, \"type\" : \"pong\" } ")).isInstanceOf(ClientMessage.Pong.class);
    assertThat(parse("{\"type\":\"activity\"}")).isInstanceOf(ClientMessage.Activity.class);
  }

  @Test
  void setStatus_availabilityTextAndExpiry() {
    assertThat(parse("{\"type\":\"set_status\",\"availability\":\"busy\"}"))
        .isEqualTo(new ClientMessage.SetStatus(Availability.BUSY, false, null));
    assertThat(parse("{\"type\":\"set_status\",\"status_text\":\" In a meeting \",\"expires_at\":\"2026-11-29T12:00:00Z\"}"))
        .isEqualTo(new ClientMessage.SetStatus(null, true,
            StatusText.of("In a meeting", Instant.parse("2026-11-29T12:00:00Z"))));
    assertThat(parse("{\"type\":\"set_status\",\"availability\":\"invisible\",\"status_text\":null}"))
        .isEqualTo(new ClientMessage.SetStatus(Availability.INVISIBLE, true, null));
    assertThat(parse("{\"type\":\"set_status\",\"status_text\":\"  \"}"))
        .as("an empty text clears").isEqualTo(new ClientMessage.SetStatus(null, true, null));
  }

  @Test
  void setMetadata_replacesTheMap() {
    ClientMessage m = parse("{\"type\":\"set_metadata\",\"metadata\":{\"device\":\"mobile\",\"app\":\"2.3.1\"}}");
    assertThat(m).isEqualTo(new ClientMessage.SetMetadata(Map.of("device", "mobile", "app", "2.3.1")));
    assertThat(parse("{\"type\":\"set_metadata\",\"metadata\":{}}"))
        .isEqualTo(new ClientMessage.SetMetadata(Map.of()));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"type\":\"set_status\"}|set_status must set availability or status_text",
      "{\"type\":\"set_status\",\"availability\":\"gone\"}|availability must be one of available, busy, away, invisible: 'gone'",
      "{\"type\":\"set_status\",\"availability\":3}|availability must be one of available, busy, away, invisible: NUMBER",
      "{\"type\":\"set_status\",\"availability\":null}|availability must be one of available, busy, away, invisible: NULL",
      "{\"type\":\"set_status\",\"status_text\":7}|status_text must be a string or null: NUMBER",
      "{\"type\":\"set_status\",\"status_text\":\"a\\u202eb\"}|status_text must not contain control or bidi-override characters: U+202E at index 1",
      "{\"type\":\"set_status\",\"status_text\":\"x\",\"expires_at\":\"tomorrow\"}|expires_at must be an ISO-8601 instant such as 2026-11-29T12:00:00Z: 'tomorrow'",
      "{\"type\":\"set_status\",\"availability\":\"busy\",\"expires_at\":\"2026-11-29T12:00:00Z\"}|expires_at needs a non-empty status_text",
      "{\"type\":\"set_status\",\"availability\":\"busy\",\"user_id\":\"bob\"}|set_status has an unknown field: 'user_id'",
      "{\"type\":\"activity\",\"x\":1}|activity has an unknown field: 'x'",
      "{\"type\":\"set_metadata\"}|metadata must be an object of strings: missing",
      "{\"type\":\"set_metadata\",\"metadata\":[]}|metadata must be an object of strings: ARRAY",
      "{\"type\":\"set_metadata\",\"metadata\":{\"device\":1}}|metadata value of 'device' must be a string: NUMBER",
      "{\"type\":\"set_metadata\",\"metadata\":{\"Device\":\"x\"}}|metadata key must be 1 to 32 characters of [a-z0-9_.-]: 'Device'",
  })
  void invalidMessages_areRejected_namingTheField(String text, String message) {
    rejected(text, message);
  }

  @Test
  void statusTextLength_isNamedByItsWireName() {
    rejected("{\"type\":\"set_status\",\"status_text\":\"" + "a".repeat(131) + "\"}",
        "status_text must be at most 100 code points: 131");
  }

  @Test
  void malformedPresenceMessages_areRejected() {
    assertThatThrownBy(() -> parse("{\"type\":\"set_status\",\"availability\":\"busy\"} xyz"))
        .isInstanceOf(PresenceProtocolException.class).hasMessageStartingWith("set_status message is not valid JSON: ");
    assertThatThrownBy(() -> parse("{\"type\":\"set_status\",\"availability\":\"busy\",\"availability\":\"away\"}"))
        .isInstanceOf(PresenceProtocolException.class).hasMessageContaining("Duplicate field 'availability'");
    assertThatThrownBy(() -> parse("{\"type\":\"activity\",\"x\":[[[[[[1]]]]]]}"))
        .isInstanceOf(PresenceProtocolException.class).hasMessageStartingWith("activity message exceeds a limit: ");
    assertThatThrownBy(() -> parse("{\"type\":\"activity\",\"x\":1" + "0".repeat(100) + "}"))
        .isInstanceOf(PresenceProtocolException.class).hasMessageStartingWith("activity message exceeds a limit: ");
    assertThatThrownBy(() -> parse("{\"type\":\"set_status\",\"availability\":\"busy\""))
        .isInstanceOf(PresenceProtocolException.class).hasMessageStartingWith("set_status message is not valid JSON: ");
  }

  @Test
  void oversizedPresenceMessage_isRejectedBeforeParsing() {
    String big = "{\"type\":\"set_status\",\"status_text\":\"" + "a".repeat(20_000) + "\"}";
    rejected(big, "set_status message must be at most 16384 characters: " + big.length());
    PresenceProtocol small = PresenceProtocol.builder().maxMessageChars(256).build();
    assertThatThrownBy(() -> small.parse("{\"type\":\"activity\"," + " ".repeat(300) + "}"))
        .hasMessageStartingWith("activity message must be at most 256 characters");
  }

  @ParameterizedTest
  @ValueSource(strings = {"hello", "", "[1,2]", "{\"type\":5}", "{\"kind\":\"set_status\"}", "{\"type\":\"message\",\"text\":\"set_status\"}",
      "{\"type\":\"SET_STATUS\"}", "{not json", "{\"payload\":{\"type\":\"set_status\"},\"type\":\"chat\"}"})
  void otherMessages_areLeftToTheHost_unvalidated(String text) {
    assertThat(parse(text)).isInstanceOf(ClientMessage.Other.class);
  }

  @Test
  void hostMessages_ofAnySizeAndDepth_areNotParsedBeyondTheirType() {
    String big = "{\"type\":\"chat\",\"text\":\"" + "x".repeat(2_000_000) + "\"}";
    assertThat(parse(big)).isEqualTo(new ClientMessage.Other("chat"));
    String deep = "{\"type\":\"chat\",\"x\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}";
    assertThat(parse(deep)).isEqualTo(new ClientMessage.Other("chat"));
    assertThat(((ClientMessage.Other) parse("{\"type\":\"chat\"}")).is("chat")).isTrue();
  }

  @Test
  void errorReply_isJson_andCutsEchoedInput() throws Exception {
    PresenceProtocolException e = catchProtocol("{\"type\":\"set_status\",\"availability\":\"" + "\u202E".repeat(500) + "\"}");
    JsonNode reply = JSON.readTree(e.reply());

    assertThat(reply.get("type").asText()).isEqualTo("error");
    assertThat(reply.get("error").asText()).isEqualTo("bad_request");
    assertThat(reply.get("message").asText()).doesNotContain("\u202E").hasSizeLessThan(400);
    assertThat(e.type()).isEqualTo("set_status");
  }

  @Test
  void builder_validates() {
    assertThatThrownBy(() -> PresenceProtocol.builder().maxMessageChars(10))
        .hasMessage("maxMessageChars must be between 256 and 1048576: 10");
    assertThat(PresenceProtocol.isPresenceType("set_metadata")).isTrue();
    assertThat(PresenceProtocol.isPresenceType("chat")).isFalse();
  }

  @Test
  void everyAcceptedExample_validatesAgainstThePublishedClientSchema() throws Exception {
    Schema schema = Schemas.load("client-message.schema.json");
    for (String ok : new String[] {"{\"type\":\"pong\"}", "{\"type\":\"activity\"}",
        "{\"type\":\"set_status\",\"availability\":\"busy\",\"status_text\":\"In a meeting\",\"expires_at\":\"2026-11-29T12:00:00Z\"}",
        "{\"type\":\"set_status\",\"status_text\":null}",
        "{\"type\":\"set_metadata\",\"metadata\":{\"device\":\"mobile\",\"app\":\"2.3.1\"}}"}) {
      parse(ok);
      assertThat(schema.validate(ok, InputFormat.JSON)).as(ok).isEmpty();
    }
    for (String bad : new String[] {"{\"type\":\"set_status\"}", "{\"type\":\"set_status\",\"availability\":\"gone\"}",
        "{\"type\":\"set_metadata\",\"metadata\":{\"Device\":\"x\"}}", "{\"type\":\"activity\",\"x\":1}"}) {
      assertThatThrownBy(() -> parse(bad)).isInstanceOf(PresenceProtocolException.class);
      assertThat(schema.validate(bad, InputFormat.JSON)).as(bad).isNotEmpty();
    }
  }

  private PresenceProtocolException catchProtocol(String text) {
    try {
      parse(text);
    } catch (PresenceProtocolException e) {
      return e;
    }
    throw new AssertionError("accepted: " + text);
  }
}
