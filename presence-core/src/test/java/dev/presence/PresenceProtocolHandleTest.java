package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.presence.test.FakeTime;
import dev.presence.testing.RecordingListener;
import dev.presence.test.RecordingOutbound;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link PresenceProtocol#handle}: client messages applied to a real registry. */
class PresenceProtocolHandleTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final FakeTime time = new FakeTime();
  private final PresenceRegistry registry = PresenceRegistry.builder().withoutHeartbeat().ticker(time)
      .clock(time.clock()).scheduler(time).eventExecutor(Runnable::run).idleAfter(Duration.ofMinutes(5)).build();
  private final RecordingListener events = new RecordingListener();
  private final PresenceProtocol protocol = PresenceProtocol.standard();
  private final RecordingOutbound phoneOut = new RecordingOutbound();
  private final RecordingOutbound laptopOut = new RecordingOutbound();
  private PresenceSession phone;

  PresenceProtocolHandleTest() {
    registry.addListener(events);
    phone = registry.connect("alice", "phone", phoneOut);
    registry.connect("alice", "laptop", laptopOut);
  }

  @AfterEach
  void close() {
    registry.close();
  }

  @Test
  void setStatus_appliesToTheUser_andEveryDeviceIsTold() throws Exception {
    ClientMessage m = protocol.handle(registry, phone,
        "{\"type\":\"set_status\",\"availability\":\"busy\",\"status_text\":\"In a meeting\"}");

    assertThat(m).isInstanceOf(ClientMessage.SetStatus.class);
    UserPresence p = registry.presenceOf("alice").orElseThrow();
    assertThat(p.status()).isEqualTo(Status.BUSY);
    assertThat(p.statusText().text()).isEqualTo("In a meeting");
    String self = "{\"type\":\"self_status\",\"availability\":\"busy\",\"status\":\"busy\",\"status_text\":\"In a meeting\"}";
    assertThat(phoneOut.sent).containsExactly(self);
    assertThat(laptopOut.sent).containsExactly(self);
    assertThat(events.log()).containsExactly("+alice", "alice:busy 'In a meeting'");
  }

  @Test
  void apply_answersABadMessage_appliesAGoodOne_andLeavesOthersToTheHost() {
    List<String> replies = new ArrayList<>();

    assertThat(protocol.apply(registry, phone, "{\"type\":\"set_status\",\"availability\":\"sleepy\"}",
        replies::add)).as("a bad presence message is the protocol's").isTrue();
    assertThat(replies).singleElement().asString().startsWith("{\"type\":\"error\"").contains("availability");
    assertThat(registry.presenceOf("alice").orElseThrow().availability()).isEqualTo(Availability.AVAILABLE);

    assertThat(protocol.apply(registry, phone, "{\"type\":\"set_status\",\"availability\":\"busy\"}",
        replies::add)).isTrue();
    assertThat(registry.presenceOf("alice").orElseThrow().availability()).isEqualTo(Availability.BUSY);
    assertThat(protocol.apply(registry, phone, "{\"type\":\"chat\",\"text\":\"hi\"}", replies::add))
        .as("not a presence message: the host's").isFalse();
    assertThat(replies).hasSize(1);
  }

  @Test
  void apply_onAClosedSession_appliesNothing_butStillClaimsPresenceMessages() {
    List<String> replies = new ArrayList<>();
    registry.close();

    assertThat(protocol.apply(registry, phone, "{\"type\":\"activity\"}", replies::add)).isTrue();
    assertThat(protocol.apply(registry, phone, "{\"type\":\"chat\"}", replies::add)).isFalse();
    assertThat(replies).isEmpty();
  }

  @Test
  void isPresenceMessage_claimsMalformedPresenceMessages_only() {
    assertThat(protocol.isPresenceMessage("{\"type\":\"set_status\",\"availability\":1}")).isTrue();
    assertThat(protocol.isPresenceMessage("{\"type\":\"pong\"}")).isTrue();
    assertThat(protocol.isPresenceMessage("{\"type\":\"chat\"}")).isFalse();
  }

  @Test
  void badMessage_isRejected_andNothingChanges() {
    String[] bad = {
        "{\"type\":\"set_status\",\"availability\":\"busy\",\"status_text\":\"" + "x".repeat(101) + "\"}",
        "{\"type\":\"set_status\",\"availability\":\"busy\",\"status_text\":\"x\",\"expires_at\":\"2025-01-01T00:00:00Z\"}",
        "{\"type\":\"set_status\",\"availability\":\"busy\",\"user_id\":\"bob\"}",
        "{\"type\":\"set_metadata\",\"metadata\":{\"device\":1}}"};
    for (String text : bad) {
      assertThatThrownBy(() -> protocol.handle(registry, phone, text))
          .isInstanceOf(PresenceProtocolException.class);
    }
    assertThatThrownBy(() -> protocol.handle(registry, phone, bad[1]))
        .hasMessage("expiresAt must be in the future: 2025-01-01T00:00:00Z");
    assertThat(registry.presenceOf("alice").orElseThrow().status()).isEqualTo(Status.AVAILABLE);
    assertThat(phone.metadata()).isEmpty();
    assertThat(phoneOut.sent).isEmpty();
    assertThat(events.log()).containsExactly("+alice");
  }

  @Test
  void activity_wakesAnIdleUser_butPongDoesNot() {
    time.advance(Duration.ofMinutes(5));
    protocol.handle(registry, phone, "{\"type\":\"pong\"}");
    assertThat(registry.presenceOf("alice").orElseThrow().status()).isEqualTo(Status.AWAY);
    protocol.handle(registry, phone, "{\"type\":\"activity\"}");
    assertThat(registry.presenceOf("alice").orElseThrow().status()).isEqualTo(Status.AVAILABLE);
  }

  @Test
  void setMetadata_replacesThisSessionsMap() {
    protocol.handle(registry, phone, "{\"type\":\"set_metadata\",\"metadata\":{\"device\":\"mobile\"}}");
    assertThat(phone.metadata()).isEqualTo(Map.of("device", "mobile"));
    assertThat(registry.presenceOf("alice").orElseThrow().sessions())
        .extracting(SessionInfo::metadata).containsExactlyInAnyOrder(Map.of("device", "mobile"), Map.of());
  }

  @Test
  void hostMessages_areReturnedUntouched_andAreNotActivity() throws Exception {
    time.advance(Duration.ofSeconds(30));
    ClientMessage m = protocol.handle(registry, phone, "{\"type\":\"chat\",\"text\":\"hi\"}");
    assertThat(m).isEqualTo(new ClientMessage.Other("chat"));
    assertThat(registry.lastActive("alice")).as("not activity").contains(java.time.Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(JSON.readTree(new PresenceProtocolException("x", "m").reply()).get("error").asText()).isEqualTo("bad_request");
  }

  @Test
  void goingInvisible_tellsOwnDevices_only() {
    protocol.handle(registry, phone, "{\"type\":\"set_status\",\"availability\":\"invisible\"}");
    assertThat(laptopOut.sent).containsExactly(
        "{\"type\":\"self_status\",\"availability\":\"invisible\",\"status\":\"offline\"}");
    assertThat(registry.isOnline("alice")).isFalse();
    assertThat(events.log()).containsExactly("+alice", "-alice");
  }
}
