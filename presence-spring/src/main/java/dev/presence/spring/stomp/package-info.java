/** Presence for Spring STOMP applications: {@link dev.presence.spring.stomp.StompPresence}. */
package dev.presence.spring.stomp;
