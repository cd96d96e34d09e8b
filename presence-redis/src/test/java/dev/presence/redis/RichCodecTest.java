package dev.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.presence.Availability;
import dev.presence.ClientMessage;
import dev.presence.SessionInfo;
import dev.presence.StatusText;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RichCodecTest {
  private static final Instant T = Instant.parse("2026-11-29T10:00:00Z");

  private static Contribution contribution(int sessions, Map<String, String> metadata) {
    List<SessionInfo> list = new ArrayList<>();
    for (int i = 0; i < sessions; i++) {
      list.add(new SessionInfo("s" + i, metadata, T));
    }
    return new Contribution(new Stamp(42, "node-a"), Availability.BUSY,
        StatusText.of("In a meeting", T.plusSeconds(600)), true, T.toEpochMilli(), list);
  }

  @Test
  void contribution_roundTrips() {
    Contribution c = contribution(2, Map.of("device", "mobile", "app", "2.3.1"));
    assertThat(RichCodec.decodeContribution(RichCodec.encode(c))).isEqualTo(c);
    Contribution bare = new Contribution(Stamp.NONE, Availability.INVISIBLE, null, false, -1,
        List.of());
    assertThat(RichCodec.decodeContribution(RichCodec.encode(bare))).isEqualTo(bare);
  }

  @Test
  void transitionWithRecord_roundTripsAsOneMessage() {
    Contribution c = contribution(1, Map.of());
    RichCodec.Batch b = RichCodec.encodeTransition(true, "u|1", new RichCodec.Change("u|1", c));
    RichCodec.Decoded d = RichCodec.decodeBatch(b.payload());
    assertThat(d.transition()).isEqualTo(Message.ONLINE);
    assertThat(d.user()).isEqualTo("u|1");
    assertThat(d.changes()).containsExactly(new RichCodec.Change("u|1", c));
    assertThat(b.fields()).containsOnlyKeys("u|1");
    RichCodec.Batch off = RichCodec.encodeTransition(false, "u2", new RichCodec.Change("u2", null));
    assertThat(off.fields()).containsEntry("u2", "");
    assertThat(RichCodec.decodeBatch(off.payload()).changes())
        .containsExactly(new RichCodec.Change("u2", null));
  }

  @Test
  void hugeContribution_dropsSessionMetadataToStayBounded() {
    Map<String, String> big = new HashMap<>();
    for (int i = 0; i < 16; i++) {
      big.put("key" + i, "v".repeat(256));
    }
    Contribution c = contribution(RichCodec.MAX_SESSIONS + 10, big);
    String json = RichCodec.encode(c);
    assertThat(json.length()).isLessThanOrEqualTo(RichCodec.MAX_CONTRIBUTION_CHARS);
    Contribution back = RichCodec.decodeContribution(json);
    assertThat(back.sessions()).hasSize(RichCodec.MAX_SESSIONS);
    assertThat(back.sessions().get(0).metadata()).isEmpty();
  }

  @Test
  void manyChanges_areCutIntoBoundedBatches() {
    List<RichCodec.Change> changes = new ArrayList<>();
    Map<String, String> meta = Map.of("device", "d".repeat(200));
    for (int i = 0; i < 2000; i++) {
      changes.add(new RichCodec.Change("user-" + i, contribution(1, meta)));
    }
    List<RichCodec.Batch> batches = RichCodec.encodeBatches(changes);
    assertThat(batches).hasSizeGreaterThan(1);
    int users = 0;
    for (RichCodec.Batch b : batches) {
      assertThat(b.payload().length()).isLessThanOrEqualTo(RichCodec.BATCH_CHARS + 2048);
      users += RichCodec.decodeBatch(b.payload()).changes().size();
    }
    assertThat(users).isEqualTo(2000);
  }

  @Test
  void directiveAndForget_roundTrip() {
    RichCodec.Directive d = new RichCodec.Directive("u1", new Stamp(7, "c"),
        new ClientMessage.SetStatus(Availability.AWAY, true, StatusText.of("Lunch")));
    assertThat(RichCodec.decodeDirective(RichCodec.encode(d))).isEqualTo(d);
    RichCodec.Forget f = new RichCodec.Forget(List.of("u1", "u2"),
        List.of(Availability.BUSY, Availability.INVISIBLE), new Stamp(8, "c"));
    assertThat(RichCodec.decodeForget(RichCodec.encode(f))).isEqualTo(f);
  }

  @Test
  void badInput_isRejectedWithAMessageNamingTheProblem() {
    assertThatThrownBy(() -> RichCodec.decodeContribution("{not json"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not valid JSON");
    assertThatThrownBy(() -> RichCodec.decodeContribution("{\"v\":1,\"o\":\"a\",\"a\":\"sleepy\",\"s\":[]}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("availability must be one of");
    assertThatThrownBy(() -> RichCodec.decodeContribution(
        "{\"v\":1,\"o\":\"a\",\"a\":\"busy\",\"t\":\"" + "x".repeat(101) + "\",\"s\":[]}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 100 code points");
    assertThatThrownBy(() -> RichCodec.decodeContribution(
        "{\"v\":1,\"o\":\"a\",\"a\":\"busy\",\"s\":[{\"id\":\"s\",\"c\":0,\"m\":{\"BAD KEY\":\"x\"}}]}"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RichCodec.decodeContribution("[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RichCodec.decodeContribution("{\"v\":\"x\",\"o\":\"a\",\"a\":\"busy\",\"s\":[]}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("v must be an integer");
    assertThatThrownBy(() -> RichCodec.decodeBatch("{\"r\":[{\"u\":\"\"}]}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("a user id must not be empty");
    assertThat(Message.parse("a|1|U|0|" + "x".repeat(Message.MAX_CHARS))).isNull();
    assertThat(Message.parse("a|1|U|0|")).isNull();
  }
}
