package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FanoutSchemaTest {

  @Test
  void stateMessages_validateAgainstThePublishedSchema_andTheSchemaCanFail() throws Exception {
    Schema schema = Schemas.load("presence-state.schema.json");
    Map<String, VisiblePresence> users = new LinkedHashMap<>();
    users.put("alice", new VisiblePresence("alice", true, Status.BUSY, StatusText.of("Call"),
        java.time.Instant.parse("2026-01-01T00:00:00Z"), null));
    users.put("carol", new VisiblePresence("carol", true, Status.AVAILABLE, null, null, null));
    users.put("b\"ob", VisiblePresence.offline("b\"ob"));
    assertThat(schema.validate(FanoutMessages.state(users), InputFormat.JSON)).isEmpty();
    assertThat(schema.validate(FanoutMessages.state(Map.of()), InputFormat.JSON)).isEmpty();
    for (String bad : List.of("{\"type\":\"presence_state\"}",
        "{\"type\":\"presence_state\",\"users\":{\"a\":{}}}",
        "{\"type\":\"presence_state\",\"users\":{\"a\":{\"is_online\":false,\"status\":\"busy\"}}}",
        "{\"type\":\"presence_state\",\"users\":{\"a\":{\"is_online\":true,\"last_online\":\"2026-01-01T00:00:00Z\"}}}",
        "{\"type\":\"presence_state\",\"users\":{\"a\":{\"is_online\":true}}}",
        "{\"type\":\"presence_diff\",\"users\":{}}")) {
      assertThat(schema.validate(bad, InputFormat.JSON)).as(bad).isNotEmpty();
    }
  }

  @Test
  void diffMessages_validateAgainstThePublishedSchema_andTheSchemaCanFail() throws Exception {
    Schema schema = Schemas.load("presence-diff.schema.json");
    for (Shown shown : Shown.values()) {
      String diff = FanoutMessages.diff(List.of(entry(online("a", Status.BUSY, "Call"), true, shown),
          entry(online("b\"", Status.AWAY, null), true, shown), entry(offline("c"), true, shown),
          entry(online("d", Status.AVAILABLE, "x"), false, shown)));
      assertThat(schema.validate(diff, InputFormat.JSON)).as(diff).isEmpty();
      assertThat(diff.contains("status_text")).as(diff).isEqualTo(shown.text());
      assertThat(diff.contains("last_active")).as(diff).isEqualTo(shown.lastSeen());
      assertThat(diff.contains("\"last_online\":\"2026-01-01T00:00:00Z\"")).as(diff).isEqualTo(shown.lastSeen());
    }
    assertThat(schema.validate(FanoutMessages.diff(List.of(entry(offline("c"), true, Shown.ALL))), InputFormat.JSON))
        .isEmpty();
    assertThat(schema.validate(FanoutMessages.diff(List.of()), InputFormat.JSON)).isEmpty();
    for (String bad : List.of("{\"type\":\"presence_diff\",\"online\":[]}",
        "{\"type\":\"presence_diff\",\"online\":[],\"offline\":[]}",
        "{\"type\":\"presence_diff\",\"online\":[\"a\",\"a\"],\"offline\":[]}",
        "{\"type\":\"presence_diff\",\"online\":[\"\"],\"offline\":[]}",
        "{\"type\":\"presence_diff\",\"online\":[],\"offline\":[],\"users\":{\"a\":{\"is_online\":\"yes\"}}}",
        "{\"type\":\"presence_diff\",\"online\":[],\"offline\":[\"a\"],\"users\":{\"a\":{\"is_online\":false,\"status_text\":\"x\"}}}",
        "{\"type\":\"presence_diff\",\"online\":[],\"offline\":[],\"users\":{\"a\":{\"is_online\":true,\"status\":\"offline\"}}}",
        "{\"type\":\"presence_diff\",\"online\":[],\"offline\":[],\"users\":{\"a\":{\"is_online\":true,\"last_online\":\"2026-01-01T00:00:00Z\"}}}")) {
      assertThat(schema.validate(bad, InputFormat.JSON)).as(bad).isNotEmpty();
    }
  }

  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  private static DiffWindow.Change online(String id, Status status, String text) {
    DiffWindow.Change c = new DiffWindow.Change(id, false, null);
    c.latest = true;
    c.fields = new VisiblePresence(id, true, status, text == null ? null : StatusText.of(text), T, null);
    return c;
  }

  private static DiffWindow.Change offline(String id) {
    DiffWindow.Change c = new DiffWindow.Change(id, true, null);
    c.latest = false;
    c.offlineAt = T;
    return c;
  }

  private static Diff.Entry entry(DiffWindow.Change c, boolean listed, Shown shown) {
    return new Diff.Entry(c, listed, shown);
  }

  @Test
  void resync_validatesAgainstThePublishedSchema() throws Exception {
    Schema schema = Schemas.load("presence-resync.schema.json");
    assertThat(schema.validate(FanoutMessages.RESYNC, InputFormat.JSON)).isEmpty();
    assertThat(schema.validate("{\"type\":\"presence_state\"}", InputFormat.JSON)).isNotEmpty();
  }
}
