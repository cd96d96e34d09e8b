/**
 * Spring Boot auto-configuration of presence (Boot 4.0 and 3.5): {@link
 * dev.presence.spring.boot.PresenceAutoConfiguration} and its {@code presence.*} properties,
 * {@link dev.presence.spring.boot.PresenceProperties}.
 */
package dev.presence.spring.boot;
