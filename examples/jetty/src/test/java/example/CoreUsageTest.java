package example;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class CoreUsageTest {

  @Test
  void enrichedThread_showsTheConnectedUserOnlineAndTheOtherOffline() throws Exception {
    JsonNode thread = new ObjectMapper().readTree(
        "{\"id\":\"t1\",\"users\":[{\"id\":\"alice\"},{\"id\":\"bob\"}]}");
    JsonNode enriched = CoreUsage.run(CoreUsage.discarding(), thread);
    assertTrue(enriched.at("/users/0/is_online").asBoolean(), enriched.toString());
    assertTrue(enriched.at("/users/1/is_online").isBoolean() && !enriched.at("/users/1/is_online").asBoolean(),
        enriched.toString());
  }
}
