package dev.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.presence.test.FakeTime;
import dev.presence.testing.RecordingListener;
import dev.presence.test.RecordingOutbound;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The per-session limit on the changes a client may ask for ({@code set_status},
 * {@code set_metadata}): a token bucket on the registry's ticker, driven by the fake clock.
 */
class ClientChangeLimitTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final FakeTime time = new FakeTime();
  private final ThreadMembership threads = new ThreadMembership();
  private final RecordingListener events = new RecordingListener();
  private PresenceRegistry registry;

  @AfterEach
  void close() {
    if (registry != null) {
      registry.close();
    }
  }

  private PresenceRegistry registry(PresenceRegistry.Builder b) {
    registry = b.withoutHeartbeat().ticker(time).clock(time.clock()).scheduler(time)
        .eventExecutor(Runnable::run).idleAfter(Duration.ofMinutes(5)).build();
    registry.addListener(events);
    StatusBroadcaster.install(registry, threads);
    threads.joinAll("t", List.of("alice", "bob"));
    return registry;
  }

  private static String busy(int i) {
    return "{\"type\":\"set_status\",\"availability\":\"" + (i % 2 == 0 ? "busy" : "available") + "\"}";
  }

  /** Sends {@code text}; returns the error code of the refusal, or null if it was applied. */
  private String send(PresenceSession s, String text) {
    try {
      PresenceProtocol.standard().handle(registry, s, text);
      return null;
    } catch (PresenceProtocolException e) {
      return e.error();
    }
  }

  @Test
  void theDefault_isFiveAtOnce_thenOneEveryTwoSeconds() {
    registry(PresenceRegistry.builder());
    PresenceSession alice = registry.connect("alice", "s1", new RecordingOutbound());
    assertThat(registry.clientChangeLimit()).isEqualTo(new RateLimit(5, Duration.ofSeconds(10)));

    for (int i = 0; i < 5; i++) {
      assertThat(send(alice, busy(i))).as("change %d", i).isNull();
    }
    assertThat(send(alice, busy(5))).isEqualTo("rate_limited");
    time.advance(Duration.ofMillis(1999));
    assertThat(send(alice, busy(5))).isEqualTo("rate_limited");
    time.advance(Duration.ofMillis(1));
    assertThat(send(alice, busy(5))).isNull();
    assertThat(send(alice, busy(6))).isEqualTo("rate_limited");
    time.advance(Duration.ofSeconds(10));
    for (int i = 0; i < 5; i++) {
      assertThat(send(alice, busy(i))).as("refilled change %d", i).isNull();
    }
    assertThat(send(alice, busy(5))).isEqualTo("rate_limited");
    assertThat(registry.stats().clientChangesRefused()).isEqualTo(4);
  }

  @Test
  void aFlood_isRefusedWithAnErrorNamingTheLimit_changesNothing_andTheAudienceHearsABoundedNumber() throws Exception {
    registry(PresenceRegistry.builder().clientChangeLimit(3, Duration.ofSeconds(30)));
    RecordingOutbound bob = new RecordingOutbound();
    registry.connect("bob", "s1", bob);
    PresenceSession alice = registry.connect("alice", "s1", new RecordingOutbound());
    bob.sent.clear();
    events.events.clear();

    PresenceProtocolException refusal = null;
    for (int i = 0; i < 1000; i++) {
      try {
        PresenceProtocol.standard().handle(registry, alice, i % 3 == 2
            ? "{\"type\":\"set_metadata\",\"metadata\":{\"n\":\"" + i + "\"}}"
            : "{\"type\":\"set_status\",\"status_text\":\"flood " + i + "\"}");
      } catch (PresenceProtocolException e) {
        refusal = e;
      }
    }

    assertThat(bob.sent).hasSize(2); // two texts (the third change was metadata: not shown)
    assertThat(events.events).hasSize(3);
    assertThat(registry.presenceOf("alice").orElseThrow().statusText().text()).isEqualTo("flood 1");
    assertThat(registry.stats().clientChangesRefused()).isEqualTo(997);
    JsonNode reply = JSON.readTree(refusal.reply());
    assertThat(reply.get("error").asText()).isEqualTo("rate_limited");
    assertThat(reply.get("message").asText())
        .isEqualTo("set_status refused: over this session's clientChangeLimit of 3 per PT30S");
  }

  @Test
  void theLimitIsPerSession_andTheHostsOwnCallsAreNotLimited() {
    registry(PresenceRegistry.builder().clientChangeLimit(1, Duration.ofMinutes(1)));
    PresenceSession phone = registry.connect("alice", "phone", new RecordingOutbound());
    PresenceSession laptop = registry.connect("alice", "laptop", new RecordingOutbound());

    assertThat(send(phone, busy(0))).isNull();
    assertThat(send(phone, busy(1))).isEqualTo("rate_limited");
    assertThat(send(laptop, busy(1))).isNull();
    assertThat(registry.setAvailability("alice", Availability.AWAY)).isTrue();
    phone.metadata(java.util.Map.of("device", "phone"));
    assertThat(registry.presenceOf("alice").orElseThrow().availability()).isEqualTo(Availability.AWAY);
    assertThat(phone.metadata()).containsEntry("device", "phone");
  }

  @Test
  void activityAndPong_areNeverLimited_andTellNobody() {
    registry(PresenceRegistry.builder().clientChangeLimit(1, Duration.ofMinutes(1)));
    RecordingOutbound bob = new RecordingOutbound();
    registry.connect("bob", "s1", bob);
    PresenceSession alice = registry.connect("alice", "s1", new RecordingOutbound());
    bob.sent.clear();
    events.events.clear();

    for (int i = 0; i < 10_000; i++) {
      assertThat(send(alice, i % 2 == 0 ? "{\"type\":\"activity\"}" : "{\"type\":\"pong\"}")).isNull();
    }

    assertThat(bob.sent).isEmpty();
    assertThat(events.events).isEmpty();
    assertThat(registry.stats().clientChangesRefused()).isZero();
    assertThat(send(alice, busy(0))).as("the budget is untouched").isNull();
  }

  @Test
  void aBadMessage_staysABadRequest_andTakesNoChange() {
    registry(PresenceRegistry.builder().clientChangeLimit(1, Duration.ofMinutes(1)));
    PresenceSession alice = registry.connect("alice", "s1", new RecordingOutbound());
    for (int i = 0; i < 10; i++) {
      assertThat(send(alice, "{\"type\":\"set_status\",\"availability\":\"gone\"}")).isEqualTo("bad_request");
    }
    assertThat(send(alice, busy(0))).isNull();
  }

  @Test
  void rateLimit_readsAsItIsWritten_andItsIntervalIsTheShareOfOnePermit() {
    RateLimit limit = new RateLimit(5, Duration.ofSeconds(10));
    assertThat(limit).hasToString("5 per PT10S");
    assertThat(limit.intervalNanos()).isEqualTo(2_000_000_000L);
    assertThat(new RateLimit(3, Duration.ofNanos(2)).intervalNanos()).as("at least 1 ns").isEqualTo(1);
    assertThatThrownBy(() -> new RateLimit(-1, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("permits must be positive: -1");
    assertThatThrownBy(() -> new RateLimit(1, Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("per must be positive: PT-1S");
    assertThat(new RateLimit(1, Duration.ofDays(1)).per()).isEqualTo(Duration.ofDays(1));
  }

  @Test
  void statsOfARegistryWithoutALimit_countNoRefusals() {
    PresenceStats stats = new PresenceStats(1, 2, 3, 4, java.util.Map.of(), 5, 6, 7);
    assertThat(stats.clientChangesRefused()).isZero();
    assertThat(stats.eventsCoalesced()).isEqualTo(7);
  }

  @Test
  void builder_rejectsBadLimits_namingTheSetting() {
    PresenceRegistry.Builder b = PresenceRegistry.builder();
    assertThatThrownBy(() -> b.clientChangeLimit(0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("clientChangeLimit permits must be positive: 0");
    assertThatThrownBy(() -> b.clientChangeLimit(1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("clientChangeLimit per must be positive: PT0S");
    assertThatThrownBy(() -> b.clientChangeLimit(1, Duration.ofDays(2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("clientChangeLimit per must be at most PT24H: PT48H");
    assertThatThrownBy(() -> b.clientChangeLimit(1, null))
        .isInstanceOf(NullPointerException.class).hasMessage("clientChangeLimit per");
  }
}
