package dev.presence.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Every code block in the README and docs that is marked {@code <!-- snippet: FILE#TAG -->} must be
 * the region between {@code tag::TAG[]} and {@code end::TAG[]} of that (compiled and tested)
 * source file, verbatim apart from common indentation.
 */
class ReadmeSnippetsTest {
  private static final Path ROOT = Path.of(System.getProperty("presence.root", "..")).normalize();
  private static final Pattern MARKED_BLOCK =
      Pattern.compile("<!-- snippet: ([^#\\s]+)#(\\S+) -->\\s*\\n```[a-z]*\\n(.*?)\\n```", Pattern.DOTALL);

  record Snippet(Path doc, String source, String tag, String text) {
    @Override
    public String toString() {
      return ROOT.relativize(doc) + " <- " + source + "#" + tag;
    }
  }

  static Stream<Snippet> snippets() throws IOException {
    List<Snippet> out = new ArrayList<>();
    List<Path> docs = new ArrayList<>();
    docs.add(ROOT.resolve("README.md"));
    try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
      files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    for (Path doc : docs) {
      Matcher m = MARKED_BLOCK.matcher(Files.readString(doc));
      while (m.find()) {
        out.add(new Snippet(doc, m.group(1), m.group(2), m.group(3)));
      }
    }
    return out.stream();
  }

  @Test
  void readme_hasTheQuickStartFromTheExamples() throws IOException {
    assertThat(snippets().filter(s -> s.doc().endsWith("README.md")).map(Snippet::tag))
        .contains("quickstart", "core");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("snippets")
  void markedSnippet_isTheTaggedRegionOfItsSource(Snippet snippet) throws IOException {
    Path source = ROOT.resolve(snippet.source());
    assertThat(source).as("source of %s", snippet).exists();
    String region = region(Files.readAllLines(source), snippet.tag(), source);
    assertThat(dedent(snippet.text())).as("%s differs from its source; copy the region again", snippet)
        .isEqualTo(dedent(region));
  }

  private static String region(List<String> lines, String tag, Path source) {
    int start = -1;
    int end = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains("tag::" + tag + "[]")) {
        start = i + 1;
      } else if (lines.get(i).contains("end::" + tag + "[]")) {
        end = i;
      }
    }
    assertThat(start).as("tag::%s[] in %s", tag, source).isPositive();
    assertThat(end).as("end::%s[] after tag::%s[] in %s", tag, tag, source).isGreaterThanOrEqualTo(start);
    return String.join("\n", lines.subList(start, end));
  }

  private static String dedent(String text) {
    List<String> lines = text.lines().toList();
    int indent = lines.stream().filter(l -> !l.isBlank())
        .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
    StringBuilder out = new StringBuilder();
    for (String l : lines) {
      out.append(l.isBlank() ? "" : l.substring(indent).stripTrailing()).append('\n');
    }
    return out.toString().strip();
  }
}
