package dev.presence.demo;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * Serves the page: three files read from the jar, no build step, nothing from the network.
 * Anything else is a JSON 404. Thread-safe (immutable).
 */
final class StaticServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Map<String, String[]> FILES = Map.of(
      "/", new String[] {"index.html", "text/html; charset=utf-8"},
      "/index.html", new String[] {"index.html", "text/html; charset=utf-8"},
      "/app.js", new String[] {"app.js", "text/javascript; charset=utf-8"},
      "/style.css", new String[] {"style.css", "text/css; charset=utf-8"});

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String[] file = FILES.get(req.getRequestURI());
    if (file == null) {
      ApiServlet.write(resp, 404, JsonNodeFactory.instance.objectNode()
          .put("error", "no such path: " + ClientText.excerpt(req.getRequestURI())));
      return;
    }
    byte[] bytes;
    try (InputStream in = StaticServlet.class.getResourceAsStream("web/" + file[0])) {
      if (in == null) {
        throw new IOException("missing resource web/" + file[0] + " in the jar");
      }
      bytes = in.readAllBytes();
    }
    resp.setStatus(200);
    resp.setContentType(file[1]);
    resp.setHeader("Cache-Control", "no-cache");
    resp.setContentLength(bytes.length);
    resp.getOutputStream().write(bytes);
  }
}
