package dev.presence.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.presence.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManualTimeTest {
  private final ManualTime time = new ManualTime(Instant.parse("2026-01-01T00:00:00Z"));

  @Test
  void advance_runsDueTasksInTimeOrderWithTheirLabelAndTime() {
    List<String> ran = new ArrayList<>();
    time.runTasksWith((label, task) -> {
      ran.add(label + "@" + time.elapsed().toMillis());
      task.run();
    });
    Scheduler a = time.scheduler("a");
    Scheduler b = time.scheduler("b");
    a.schedule(() -> { }, Duration.ofMillis(300));
    b.schedule(() -> a.schedule(() -> { }, Duration.ofMillis(50)), Duration.ofMillis(100));
    Scheduler.Cancellable cancelled = b.schedule(() -> ran.add("cancelled ran"), Duration.ofMillis(200));
    cancelled.cancel();

    time.advanceTo(Duration.ofMillis(250));

    assertThat(ran).containsExactly("b@100", "a@150");
    assertThat(time.elapsed()).isEqualTo(Duration.ofMillis(250));
    assertThat(time.now()).isEqualTo(Instant.parse("2026-01-01T00:00:00.250Z"));
    assertThat(time.read()).isEqualTo(250_000_000L);
  }

  @Test
  void advance_backwards_isRejected() {
    time.advanceTo(Duration.ofSeconds(2));
    assertThatThrownBy(() -> time.advanceTo(Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("time cannot go back: PT1S");
  }
}
