package dev.presence.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.presence.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FakeTimeTest {
  private final FakeTime time = new FakeTime(Instant.parse("2030-01-01T00:00:00Z"));

  @Test
  void tasksRunInDueOrder_tiesInScheduleOrder_atTheirDueTime() {
    List<String> ran = new ArrayList<>();
    time.schedule(() -> ran.add("b@" + time.read()), Duration.ofSeconds(2));
    time.schedule(() -> ran.add("a@" + time.read()), Duration.ofSeconds(1));
    time.schedule(() -> ran.add("c@" + time.read()), Duration.ofSeconds(2));
    Scheduler.Cancellable cancelled = time.schedule(() -> ran.add("never"), Duration.ofSeconds(1));
    cancelled.cancel();

    time.advance(Duration.ofSeconds(3));

    assertThat(ran).containsExactly("a@1000000000", "b@2000000000", "c@2000000000");
    assertThat(time.now()).isEqualTo(Instant.parse("2030-01-01T00:00:03Z"));
    assertThat(time.clock().instant()).isEqualTo(time.now());
    assertThat(time.pendingTasks()).isZero();
  }

  @Test
  void aTaskScheduledByATask_runsInTheSameAdvance_ifDue() {
    List<Duration> ran = new ArrayList<>();
    time.schedule(() -> time.schedule(() -> ran.add(Duration.ofNanos(time.read())), Duration.ofSeconds(1)),
        Duration.ofSeconds(1));
    time.advance(Duration.ofSeconds(2));
    assertThat(ran).containsExactly(Duration.ofSeconds(2));
  }

  @Test
  void timeNeverMovesBack() {
    assertThatThrownBy(() -> time.advance(Duration.ofSeconds(-1)))
        .hasMessage("advance must not be negative: PT-1S");
  }

}
