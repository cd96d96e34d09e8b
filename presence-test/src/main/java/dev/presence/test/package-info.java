/**
 * Test support for hosts of Presence and for its own modules: {@link dev.presence.test.FakeTime}
 * (ticker, clock and scheduler moved by hand), {@link dev.presence.test.RecordingOutbound}, the
 * {@link dev.presence.test.RedisServer} launcher and the
 * {@link dev.presence.test.EmbeddedMongoExtension} for JUnit 5. JUnit and mongo-java-server are
 * the host's (provided): only the classes that use them need them.
 */
@NullMarked
package dev.presence.test;

import org.jspecify.annotations.NullMarked;
