/** Presence shared by several server nodes through Redis. */
module dev.presence.redis {
  requires transitive dev.presence;
  requires lettuce.core;
  requires org.slf4j;

  exports dev.presence.redis;
}
