package dev.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MessageTest {

  @Test
  void userIdsMayContainTheSeparator() {
    Message m = new Message("node-1", 42, Message.ONLINE, 1700000000000L, "a|b|c");
    assertThat(Message.parse(m.format())).isEqualTo(m);
  }

  @Test
  void replacedAndDepartedCarryNoUser() {
    assertThat(Message.parse("n|7|R|5|")).isEqualTo(new Message("n", 7, 'R', 5, ""));
    assertThat(Message.parse("n|8|D|5|")).isEqualTo(new Message("n", 8, 'D', 5, ""));
  }

  @Test
  void anythingElse_isRejected() {
    assertThat(Message.parse("")).isNull();
    assertThat(Message.parse("n|1|+|5")).isNull();
    assertThat(Message.parse("|1|+|5|u")).isNull();
    assertThat(Message.parse("n|x|+|5|u")).isNull();
    assertThat(Message.parse("n|1|*|5|u")).isNull();
    assertThat(Message.parse("n|1|++|5|u")).isNull();
    assertThat(Message.parse("n|1|-|5|")).isNull();
    assertThat(Message.parse("n|1|+|t|u")).isNull();
  }
}
