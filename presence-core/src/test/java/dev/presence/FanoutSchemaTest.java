package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
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
        "{\"type\":\"presence_diff\",\"users\":{}}")) {
      assertThat(schema.validate(bad, InputFormat.JSON)).as(bad).isNotEmpty();
    }
  }

  @Test
  void diffMessages_validateAgainstThePublishedSchema_andTheSchemaCanFail() throws Exception {
    Schema schema = Schemas.load("presence-diff.schema.json");
    assertThat(schema.validate(FanoutMessages.diff(List.of("a", "b"), List.of("c")), InputFormat.JSON)).isEmpty();
    assertThat(schema.validate(FanoutMessages.diff(List.of(), List.of("c")), InputFormat.JSON)).isEmpty();
    for (String bad : List.of("{\"type\":\"presence_diff\",\"online\":[]}",
        "{\"type\":\"presence_diff\",\"online\":[\"a\",\"a\"],\"offline\":[]}",
        "{\"type\":\"presence_diff\",\"online\":[\"\"],\"offline\":[]}",
        "{\"type\":\"presence_diff\",\"online\":[],\"offline\":[],\"users\":{\"a\":{\"is_online\":\"yes\"}}}")) {
      assertThat(schema.validate(bad, InputFormat.JSON)).as(bad).isNotEmpty();
    }
  }

  @Test
  void resync_validatesAgainstThePublishedSchema() throws Exception {
    Schema schema = Schemas.load("presence-resync.schema.json");
    assertThat(schema.validate(FanoutMessages.RESYNC, InputFormat.JSON)).isEmpty();
    assertThat(schema.validate("{\"type\":\"presence_state\"}", InputFormat.JSON)).isNotEmpty();
  }
}
