package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.presence.test.FakeTime;
import dev.presence.test.RecordingOutbound;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Viewer × subject setting → what the viewer gets about the subject (alice) on every output path:
 * the fan-out message, {@code enrichFor} (or {@code enrich} for the anonymous viewer) and
 * {@code visiblePresence}. Carol hides her own last seen (so, reciprocally, sees no one's).
 */
class PrivacyTableTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant OLD_LAST_SEEN = Instant.parse("2025-12-31T12:00:00Z");

  private final FakeTime time = new FakeTime();
  private final List<PresenceRegistry> opened = new ArrayList<>();
  private final Map<String, RecordingOutbound> outbounds = new java.util.HashMap<>();

  @AfterEach
  void close() {
    opened.forEach(PresenceRegistry::close);
  }

  enum Setting { AVAILABLE, BUSY_WITH_TEXT, INVISIBLE, HIDES_LAST_SEEN, OFFLINE, OFFLINE_HIDES_LAST_SEEN, BLOCKED_FOR_BOB }

  private PresenceRegistry scenario(Setting setting) {
    Set<String> hiders = new HashSet<>(Set.of("carol"));
    if (setting == Setting.HIDES_LAST_SEEN || setting == Setting.OFFLINE_HIDES_LAST_SEEN) {
      hiders.add("alice");
    }
    PresencePolicy blocks = new PresencePolicy() {
      @Override
      public Visibility visibility(String viewer, String subject) {
        return setting == Setting.BLOCKED_FOR_BOB && viewer.equals("bob") && subject.equals("alice")
            ? Visibility.NONE : Visibility.ALL;
      }

      @Override
      public Visibility anonymousVisibility(String subject) {
        return Visibility.ALL; // blocks apply to known viewers only
      }
    };
    LastSeenStore store = LastSeenStore.inMemory();
    store.recordAll(Map.of("alice", OLD_LAST_SEEN));
    PresenceRegistry r = PresenceRegistry.builder().withoutHeartbeat().ticker(time).clock(time.clock())
        .scheduler(time).eventExecutor(Runnable::run).lastSeenStore(store)
        .policy(PresencePolicy.hideLastSeen(hiders::contains).and(blocks)).build();
    opened.add(r);
    ThreadMembership threads = new ThreadMembership();
    threads.joinAll("t1", List.of("alice", "bob", "carol"));
    StatusBroadcaster.install(r, threads);
    for (String u : List.of("bob", "carol")) {
      outbounds.put(u, new RecordingOutbound());
      r.connect(u, "1", outbounds.get(u));
    }
    outbounds.put("alice", new RecordingOutbound());
    switch (setting) {
      case INVISIBLE -> r.connect("alice", "1", outbounds.get("alice"),
          ConnectOptions.defaults().withAvailability(Availability.INVISIBLE));
      case BUSY_WITH_TEXT -> {
        r.connect("alice", "1", outbounds.get("alice"));
        r.setStatus("alice", new ClientMessage.SetStatus(Availability.BUSY, true, StatusText.of("In a meeting")));
      }
      case OFFLINE, OFFLINE_HIDES_LAST_SEEN -> { }
      default -> r.connect("alice", "1", outbounds.get("alice"));
    }
    time.advance(Duration.ofSeconds(1));
    return r;
  }

  @ParameterizedTest(name = "{0} seen by {1}")
  @CsvSource({
      // setting,               viewer, online, status,    text,  lastActive, lastOnline, fanOut
      "AVAILABLE,               bob,    true,   available, false, true,       false,      true",
      "AVAILABLE,               carol,  true,   available, false, false,      false,      true",
      "AVAILABLE,               alice,  true,   available, false, true,       false,      false",
      "AVAILABLE,               ,       true,   ,          false, false,      false,      false",
      "BUSY_WITH_TEXT,          bob,    true,   busy,      true,  true,       false,      true",
      "BUSY_WITH_TEXT,          carol,  true,   busy,      true,  false,      false,      true",
      "BUSY_WITH_TEXT,          alice,  true,   busy,      true,  true,       false,      false",
      "INVISIBLE,               bob,    false,  offline,   false, false,      true,       false",
      "INVISIBLE,               carol,  false,  offline,   false, false,      false,      false",
      "INVISIBLE,               alice,  true,   available, false, true,       false,      false",
      "INVISIBLE,               ,       false,  ,          false, false,      true,       false",
      "HIDES_LAST_SEEN,         bob,    true,   available, false, false,      false,      true",
      "HIDES_LAST_SEEN,         alice,  true,   available, false, true,       false,      false",
      "OFFLINE,                 bob,    false,  offline,   false, false,      true,       false",
      "OFFLINE,                 carol,  false,  offline,   false, false,      false,      false",
      "OFFLINE,                 ,       false,  ,          false, false,      true,       false",
      "OFFLINE_HIDES_LAST_SEEN, bob,    false,  offline,   false, false,      false,      false",
      "OFFLINE_HIDES_LAST_SEEN, ,       false,  ,          false, false,      false,      false",
      "BLOCKED_FOR_BOB,         bob,    false,  offline,   false, false,      false,      false",
      "BLOCKED_FOR_BOB,         carol,  true,   available, false, false,      false,      true",
  })
  void whatTheViewerGets(Setting setting, String viewer, boolean online, String status, boolean text,
      boolean lastActive, boolean lastOnline, boolean fanOut) throws Exception {
    PresenceRegistry r = scenario(setting);
    ThreadEnricher enricher = ThreadEnricher.builder(r).lastSeenStore(r.lastSeenStore().orElseThrow()).build();
    ObjectNode thread = (ObjectNode) JSON.readTree(
        "{\"id\":\"t1\",\"users\":[{\"id\":\"alice\",\"username\":\"alice\",\"name\":\"Alice\",\"joined_at\":\"2025-01-01T00:00:00Z\"}]}");
    JsonNode user;
    if (viewer == null) {
      user = enricher.enrich(thread).at("/users/0");
      assertThat(user.has("status")).as("the viewer-less call sets no status").isFalse();
    } else {
      user = enricher.enrichFor(viewer, thread).at("/users/0");
      assertThat(user.path("status").asText()).isEqualTo(status);
      assertThat(user.has("status_text")).as("status_text").isEqualTo(text);
      assertThat(user.has("last_active")).as("last_active").isEqualTo(lastActive);

      VisiblePresence p = r.visiblePresence(viewer, "alice");
      assertThat(p.online()).isEqualTo(online);
      assertThat(p.status().wireName()).isEqualTo(status);
      assertThat(p.statusText() != null).isEqualTo(text);
      assertThat(p.lastActive() != null).isEqualTo(lastActive);
    }
    assertThat(user.path("is_online").asBoolean()).as("is_online").isEqualTo(online);
    assertThat(user.has("last_online")).as("last_online").isEqualTo(lastOnline);
    if (lastOnline) {
      assertThat(user.get("last_online").asText()).isEqualTo("2025-12-31T12:00:00Z");
    }
    assertThat(Schemas.load("thread-user.schema.json").validate(user.toString(),
        com.networknt.schema.InputFormat.JSON)).isEmpty();

    if (viewer != null && !viewer.equals("alice")) {
      List<JsonNode> aboutAlice = new ArrayList<>();
      for (String m : outbounds.get(viewer).sent) {
        JsonNode n = JSON.readTree(m);
        if ("alice".equals(n.path("user_id").asText())) {
          aboutAlice.add(n);
        }
      }
      if (!fanOut) {
        assertThat(aboutAlice).as("no message at all about alice").isEmpty();
      } else {
        JsonNode last = aboutAlice.get(aboutAlice.size() - 1);
        assertThat(last.get("is_online").asBoolean()).isEqualTo(online);
        assertThat(last.get("status").asText()).isEqualTo(status);
        assertThat(last.has("status_text")).isEqualTo(text);
        assertThat(last.has("last_active")).isEqualTo(lastActive);
        for (JsonNode n : aboutAlice) {
          assertThat(Schemas.load("user-status-changed.schema.json").validate(n.toString(),
              com.networknt.schema.InputFormat.JSON)).isEmpty();
        }
      }
    }
  }
}
