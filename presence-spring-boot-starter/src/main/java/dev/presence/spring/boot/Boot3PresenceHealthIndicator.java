package dev.presence.spring.boot;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/** The "presence" health indicator on Spring Boot 3. Thread-safe. */
final class Boot3PresenceHealthIndicator implements HealthIndicator {
  private final PresenceHealthCheck check;

  Boot3PresenceHealthIndicator(PresenceHealthCheck check) {
    this.check = check;
  }

  @Override
  public Health health() {
    PresenceHealthCheck.Result r = check.check();
    return (r.up() ? Health.up() : Health.down()).withDetails(r.details()).build();
  }
}
