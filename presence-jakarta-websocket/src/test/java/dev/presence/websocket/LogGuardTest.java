package dev.presence.websocket;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.logging.Level;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The guard the container suites rely on catches what it must, and only that. */
class LogGuardTest {
  @BeforeEach
  void install() {
    LogGuard.install();
    LogGuard.check("a previous test"); // starts clean or fails loudly
  }

  @Test
  void slf4jError_isCaught() {
    LoggerFactory.getLogger("dev.presence.test").error("boom on purpose");
    assertThatThrownBy(() -> LogGuard.check("this test"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("boom on purpose");
  }

  @Test
  void julSevere_isCaught() {
    java.util.logging.Logger.getLogger("org.apache.tomcat.test").log(Level.SEVERE, "severe on purpose");
    assertThatThrownBy(() -> LogGuard.check("this test"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("severe on purpose");
  }

  @Test
  void warningsAndInfo_pass() {
    LoggerFactory.getLogger("dev.presence.test").warn("a warning");
    java.util.logging.Logger.getLogger("org.apache.tomcat.test").warning("a JUL warning");
    assertThatCode(() -> LogGuard.check("this test")).doesNotThrowAnyException();
  }
}
