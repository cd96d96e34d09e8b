package dev.presence.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * What the container tests of presence-client.js share: the adapter jar as a web application would
 * hold it (in {@code WEB-INF/lib}), and the check that a container serves the script at
 * {@link #PATH}, byte for byte the npm package's file. Stateless.
 */
public final class ClientScriptFixture {
  /** Where a container serves the script from the jar's {@code META-INF/resources}. */
  public static final String PATH = "/presence/presence-client.js";
  /** The declarations, next to it. */
  public static final String TYPES_PATH = "/presence/presence-client.d.ts";

  private ClientScriptFixture() {}

  /** The one source of the script: the npm package folder of the repository. */
  public static Path source(String name) {
    Path here = Path.of("").toAbsolutePath();
    for (Path dir = here; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("clients").resolve("js").resolve(name);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("clients/js/" + name + " not found above " + here);
  }

  /**
   * The presence-jakarta-websocket jar on the test classpath; when the classpath has its classes
   * directory instead (a build that stopped before packaging), a jar made from that directory.
   */
  public static Path adapterJar(Path scratch) throws IOException {
    Path location;
    try {
      location = Path.of(WebSocketPresence.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    if (Files.isRegularFile(location)) {
      return location;
    }
    Path jar = scratch.resolve("presence-jakarta-websocket.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        Stream<Path> files = Files.walk(location)) {
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new JarEntry(location.relativize(file).toString().replace('\\', '/')));
        Files.copy(file, out);
        out.closeEntry();
      }
    }
    return jar;
  }

  /** A web application directory holding only {@code WEB-INF/lib/presence-jakarta-websocket.jar}. */
  public static Path webAppWithAdapterJar(Path scratch) throws IOException {
    Path app = scratch.resolve("webapp");
    Path lib = Files.createDirectories(app.resolve("WEB-INF").resolve("lib"));
    Files.copy(adapterJar(scratch), lib.resolve("presence-jakarta-websocket.jar"));
    return app;
  }

  /** GETs {@code base + PATH} and its declarations and checks they are the package's files. */
  public static void assertServesClient(URI base) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    for (String[] file : List.of(new String[] {PATH, "presence-client.js"},
        new String[] {TYPES_PATH, "presence-client.d.ts"})) {
      URI uri = base.resolve(base.getPath().replaceAll("/$", "") + file[0]);
      HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri)
          .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(response.statusCode()).as("GET " + uri).isEqualTo(200);
      assertThat(response.body()).as("GET " + uri).isEqualTo(Files.readAllBytes(source(file[1])));
      if (file[0].equals(PATH)) {
        // Browsers refuse a module script served with a non-JavaScript MIME type.
        assertThat(response.headers().firstValue("Content-Type")).as("Content-Type of " + uri)
            .hasValueSatisfying(type -> assertThat(type).containsIgnoringCase("javascript"));
      }
    }
  }
}
