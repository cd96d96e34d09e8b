package dev.presence.spring.boot;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** The "presence" health indicator on Spring Boot 4. Thread-safe. */
final class Boot4PresenceHealthIndicator implements HealthIndicator {
  private final PresenceHealthCheck check;

  Boot4PresenceHealthIndicator(PresenceHealthCheck check) {
    this.check = check;
  }

  @Override
  public Health health() {
    PresenceHealthCheck.Result r = check.check();
    return (r.up() ? Health.up() : Health.down()).withDetails(r.details()).build();
  }
}
