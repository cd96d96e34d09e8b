package dev.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presence.SessionInfo;
import dev.presence.UserPresence;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rich presence of the protocol without Redis: every message and timer delivered by hand. */
class RichPresenceSimTest {

  @Test
  void aClientSpammingMetadata_isAnnouncedAtMostTenTimesASecond_andTheLatestStateArrives() {
    SimCluster sim = new SimCluster();
    SimCluster.SimNode a = sim.start("a");
    SimCluster.SimNode b = sim.start("b");
    sim.settle();
    a.connect("u1");
    sim.settle();
    int before = sim.redis.recordCalls;

    for (int i = 0; i < 200; i++) { // 200 changes in one second
      UserPresence p = a.rich.get("u1");
      a.rich.put("u1", new UserPresence("u1", p.status(), p.availability(), p.statusText(),
          p.lastActive(), List.of(new SessionInfo("s-a", Map.of("n", "v" + i),
              p.sessions().get(0).connectedAt()))));
      a.node.touched("u1");
      sim.time.advance(Duration.ofMillis(5));
      sim.settle();
    }
    sim.advance(Duration.ofMillis(300), Duration.ofMillis(50));

    int calls = sim.redis.recordCalls - before;
    // one per 100 ms over the second, the first at once; the renewal sweeps find nothing new
    assertThat(calls).isBetween(5, 12);
    assertThat(b.node.state().remoteRecords("u1").get("a").sessions().get(0).metadata())
        .isEqualTo(Map.of("n", "v199"));
  }
}
