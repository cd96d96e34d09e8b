package dev.presence.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The jar carries presence-client.js and its declarations under {@code META-INF/resources/presence/}
 * (where Servlet 3+ containers serve jar resources from), byte for byte the files of the npm package
 * in {@code clients/js}: one source, two ways to ship it.
 */
class ClientScriptResourceTest {

  @ParameterizedTest
  @ValueSource(strings = {"presence-client.js", "presence-client.d.ts"})
  void jarResource_isTheNpmPackagesFile(String name) throws IOException {
    byte[] shipped;
    try (InputStream in = getClass().getClassLoader()
        .getResourceAsStream("META-INF/resources/presence/" + name)) {
      assertThat(in).as("META-INF/resources/presence/" + name + " on the classpath").isNotNull();
      shipped = in.readAllBytes();
    }
    assertThat(shipped).isNotEmpty().isEqualTo(Files.readAllBytes(ClientScriptFixture.source(name)));
  }
}
