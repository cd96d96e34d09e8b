package dev.presence.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presence.RateLimit;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ChangeLimiterTest {
  private final AtomicLong now = new AtomicLong(-5_000_000_000L); // any origin, negative included
  private final ChangeLimiter limiter = new ChangeLimiter(new RateLimit(5, Duration.ofSeconds(10)), now::get);

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  @Test
  void aBurstOfFive_thenOneEveryTwoSeconds() {
    for (int i = 0; i < 5; i++) {
      assertThat(limiter.acquire("alice")).as("change %d", i + 1).isZero();
    }
    assertThat(limiter.acquire("alice")).isEqualTo(Duration.ofSeconds(2).toNanos());
    advance(Duration.ofMillis(1500));
    assertThat(limiter.acquire("alice")).isEqualTo(Duration.ofMillis(500).toNanos());
    advance(Duration.ofMillis(500));
    assertThat(limiter.acquire("alice")).isZero();
    assertThat(limiter.acquire("alice")).isEqualTo(Duration.ofSeconds(2).toNanos());
  }

  @Test
  void refusals_takeNothing_andUsersAreIndependent() {
    for (int i = 0; i < 5; i++) {
      limiter.acquire("alice");
    }
    for (int i = 0; i < 100; i++) {
      assertThat(limiter.acquire("alice")).isPositive();
    }
    assertThat(limiter.acquire("bob")).isZero();
    advance(Duration.ofSeconds(2));
    assertThat(limiter.acquire("alice")).as("a flood of refusals did not push the refill back").isZero();
  }

  @Test
  void afterTheFullPeriod_theWholeBurstIsBack() {
    for (int i = 0; i < 5; i++) {
      limiter.acquire("alice");
    }
    advance(Duration.ofSeconds(60));
    for (int i = 0; i < 5; i++) {
      assertThat(limiter.acquire("alice")).isZero();
    }
    assertThat(limiter.acquire("alice")).isPositive();
  }

  @Test
  void usersWhoseBucketRefilled_areForgotten_soManyLoginsDoNotGrowTheLimiter() {
    for (int i = 0; i < 10 * ChangeLimiter.SWEEP_EVERY; i++) {
      limiter.acquire("user" + i);
      if (i % 100 == 99) {
        advance(Duration.ofSeconds(3)); // one change per user refills in 2 s
      }
    }
    assertThat(limiter.trackedUsers()).as("the last refill period's users and one sweep interval")
        .isLessThanOrEqualTo(100 + ChangeLimiter.SWEEP_EVERY);

    for (int i = 0; i < 5; i++) {
      limiter.acquire("alice");
    }
    for (int i = 0; i < ChangeLimiter.SWEEP_EVERY; i++) {
      limiter.acquire("bob" + i); // a sweep while alice's bucket is empty
    }
    assertThat(limiter.acquire("alice")).as("a sweep keeps a user whose bucket is not full").isPositive();
  }
}
