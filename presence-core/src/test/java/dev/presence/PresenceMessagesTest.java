package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PresenceMessagesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00.123456Z");

  @Test
  void userStatusChanged_carriesOnlyWhatIsVisible() throws Exception {
    String full = PresenceMessages.userStatusChanged(
        new VisiblePresence("u1", true, Status.BUSY, StatusText.of("In a meeting"), T0, null));
    assertThat(JSON.readTree(full)).isEqualTo(JSON.readTree(
        "{\"type\":\"user_status_changed\",\"user_id\":\"u1\",\"is_online\":true,\"status\":\"busy\","
            + "\"status_text\":\"In a meeting\",\"last_active\":\"2026-11-29T10:00:00.123Z\"}"));

    String bare = PresenceMessages.userStatusChanged(new VisiblePresence("u1", true, Status.AWAY, null, null, null));
    assertThat(JSON.readTree(bare)).isEqualTo(JSON.readTree(
        "{\"type\":\"user_status_changed\",\"user_id\":\"u1\",\"is_online\":true,\"status\":\"away\"}"));

    assertThat(JSON.readTree(PresenceMessages.userStatusChanged(VisiblePresence.offline("u1")))).isEqualTo(JSON.readTree(
        "{\"type\":\"user_status_changed\",\"user_id\":\"u1\",\"is_online\":false,\"status\":\"offline\"}"));
  }

  @Test
  void legacyForm_isUnchanged() {
    assertThat(PresenceMessages.userStatusChanged("u\"1", true))
        .isEqualTo("{\"type\":\"user_status_changed\",\"user_id\":\"u\\\"1\",\"is_online\":true}");
  }

  @Test
  void builtMessages_validateAgainstThePublishedSchema_andTheSchemaCanFail() throws Exception {
    Schema schema = Schemas.load("user-status-changed.schema.json");
    for (VisiblePresence p : List.of(
        new VisiblePresence("u1", true, Status.BUSY, StatusText.of("\uD83C\uDF34".repeat(100)), T0, null),
        new VisiblePresence("u1", true, Status.AVAILABLE, null, null, null),
        VisiblePresence.offline("u1"))) {
      assertThat(schema.validate(PresenceMessages.userStatusChanged(p), InputFormat.JSON)).isEmpty();
    }
    for (String bad : List.of(
        "{\"type\":\"user_status_changed\",\"user_id\":\"u1\",\"is_online\":false,\"status\":\"busy\"}",
        "{\"type\":\"user_status_changed\",\"user_id\":\"u1\",\"is_online\":true,\"status\":\"offline\"}",
        "{\"type\":\"user_status_changed\",\"user_id\":\"u1\",\"is_online\":false,\"status\":\"offline\",\"last_active\":\"2026-11-29T10:00:00Z\"}",
        "{\"type\":\"user_status_changed\",\"user_id\":\"u1\",\"is_online\":true}")) {
      assertThat(schema.validate(bad, InputFormat.JSON)).as(bad).isNotEmpty();
    }
  }

  @Test
  void selfStatus_showsTheChoiceAndTheTextsExpiry() throws Exception {
    UserPresence p = new UserPresence("u1", Status.OFFLINE, Availability.INVISIBLE,
        StatusText.of("Focus", Instant.parse("2026-11-29T12:00:00Z")), null, List.of());
    assertThat(JSON.readTree(PresenceMessages.selfStatus(p))).isEqualTo(JSON.readTree(
        "{\"type\":\"self_status\",\"availability\":\"invisible\",\"status\":\"offline\","
            + "\"status_text\":\"Focus\",\"expires_at\":\"2026-11-29T12:00:00Z\"}"));
  }

  @Test
  void invitationAccepted_withVisiblePresence() throws Exception {
    JsonNode n = JSON.readTree(PresenceMessages.invitationAccepted("t1", VisiblePresence.offline("u1")));
    assertThat(n).isEqualTo(JSON.readTree(
        "{\"type\":\"invitation_accepted\",\"thread_id\":\"t1\",\"user_id\":\"u1\",\"is_online\":false,\"status\":\"offline\"}"));
  }

  @Test
  void error_isCutAndPrintable() throws Exception {
    JsonNode n = JSON.readTree(PresenceMessages.error("bad_request", "x\u202E" + "y".repeat(1000)));
    assertThat(n.get("message").asText()).startsWith("xU+202Eyyy").hasSizeLessThan(320);
  }
}
