/**
 * Presence on MongoDB: {@link dev.presence.mongo.MongoLastSeenStore}, the last-seen store with
 * monotonic ({@code $max}) bulk writes; {@link dev.presence.mongo.LegacyThreadCleanup}, which
 * removes the denormalised presence fields older designs stored in thread documents; and
 * {@link dev.presence.mongo.CommandCounter}, which counts the commands a client sends.
 *
 * <p>Null-marked (JSpecify): no parameter or return value is null unless it is annotated
 * {@code @Nullable}.
 */
@NullMarked
package dev.presence.mongo;

import org.jspecify.annotations.NullMarked;
