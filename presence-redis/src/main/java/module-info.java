/** Presence shared by several server nodes through Redis. */
module dev.presence.redis {
  requires transitive dev.presence;
  requires transitive lettuce.core; // the builder takes a host's RedisClient
  requires org.slf4j;
  requires static transitive org.jspecify; // @Nullable appears in the API

  exports dev.presence.redis;
}
