package dev.presence.websocket;

import dev.presence.Availability;
import dev.presence.ConnectOptions;
import dev.presence.SessionMetadata;
import jakarta.websocket.server.HandshakeRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Finds the {@link ConnectOptions} of a new session from its HTTP handshake, once its user is
 * known: the session's metadata (e.g. {@code device} from a query parameter, {@code app} from a
 * header) and the user's stored availability and status text (e.g. "appear offline" from the
 * host's preferences, so an invisible user never flashes online). Given to a {@link
 * PresenceConfigurator}, which stores the result for {@link ConnectOptionsResolver#handshake()}.
 *
 * <p>The built-in factories copy what a client sends only when it is valid session metadata
 * (one value, at most {@value SessionMetadata#MAX_VALUE_CODE_POINTS} code points, no control or
 * bidi-override characters); anything else is left out silently, never echoed, never logged. The
 * keys are fixed by the host, so the map never has more entries than the host configured.
 *
 * <p>Implementations run on the container's request thread during the upgrade: they must be
 * thread-safe, fast and non-blocking (answer from memory). The built-ins are immutable.
 */
@FunctionalInterface
public interface HandshakeOptions {

  /**
   * Returns the options of a handshake whose user has been resolved.
   *
   * @param request the handshake: headers, query parameters, principal
   * @param userId the resolved user (never null or blank)
   * @return the options; null means {@link ConnectOptions#defaults()}
   */
  @Nullable ConnectOptions optionsOf(HandshakeRequest request, String userId);

  /**
   * Returns options with no metadata and the default availability: what a plain configurator
   * uses.
   *
   * @return the shared instance
   */
  static HandshakeOptions none() {
    return (request, userId) -> ConnectOptions.defaults();
  }

  /**
   * Copies query parameters into the session's metadata, each under its own name, e.g.
   * {@code queryParameters("device")} turns {@code ?device=mobile} into {@code device=mobile}.
   * A parameter that is absent, repeated or not a valid metadata value is left out.
   *
   * @param names the parameter names, which are also the metadata keys: 1 to 16 of them, each 1
   *     to 32 characters of {@code [a-z0-9_.-]}
   * @return the options
   * @throws IllegalArgumentException if a name is not a valid metadata key, or there are none or
   *     more than 16
   * @throws NullPointerException if {@code names} or a name is null
   */
  static HandshakeOptions queryParameters(String... names) {
    List<String> keys = MetadataKeys.check(List.of(names));
    return (request, userId) -> {
      Map<String, List<String>> params = request.getParameterMap();
      Map<String, String> metadata = new LinkedHashMap<>();
      if (params != null) {
        for (String key : keys) {
          MetadataKeys.putIfValid(metadata, key, params.get(key));
        }
      }
      return ConnectOptions.defaults().withMetadata(metadata);
    };
  }

  /**
   * Copies one request header into the session's metadata, e.g. {@code header("X-App-Version",
   * "app")}. A header that is absent, repeated or not a valid metadata value is left out.
   *
   * @param header the header name (case-insensitive, as the container matches it)
   * @param key the metadata key: 1 to 32 characters of {@code [a-z0-9_.-]}
   * @return the options
   * @throws IllegalArgumentException if {@code header} is blank or {@code key} is not a valid key
   * @throws NullPointerException if an argument is null
   */
  static HandshakeOptions header(String header, String key) {
    Objects.requireNonNull(header, "header");
    if (header.isBlank()) {
      throw new IllegalArgumentException("header must not be blank: '" + header + "'");
    }
    String k = MetadataKeys.check(List.of(key)).get(0);
    return (request, userId) -> {
      Map<String, List<String>> headers = request.getHeaders();
      Map<String, String> metadata = new LinkedHashMap<>();
      if (headers != null) {
        List<String> values = headers.get(header);
        if (values == null) {
          for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (header.equalsIgnoreCase(e.getKey())) {
              values = e.getValue();
              break;
            }
          }
        }
        MetadataKeys.putIfValid(metadata, k, values);
      }
      return ConnectOptions.defaults().withMetadata(metadata);
    };
  }

  /**
   * Returns options with both metadata maps (the other's value wins for a key both set), and the
   * other's availability and status text where it sets them, else this one's.
   *
   * @param other the options to add
   * @return the combined options; throws at handshake time (the session is then refused) if
   *     together they have more than {@value SessionMetadata#MAX_ENTRIES} entries
   * @throws NullPointerException if {@code other} is null
   */
  default HandshakeOptions and(HandshakeOptions other) {
    Objects.requireNonNull(other, "other");
    return (request, userId) -> {
      ConnectOptions a = orDefaults(optionsOf(request, userId));
      ConnectOptions b = orDefaults(other.optionsOf(request, userId));
      Map<String, String> metadata = new LinkedHashMap<>(a.metadata());
      metadata.putAll(b.metadata());
      Availability availability = b.availability() != null ? b.availability() : a.availability();
      return new ConnectOptions(metadata, availability,
          b.statusText() != null ? b.statusText() : a.statusText());
    };
  }

  private static ConnectOptions orDefaults(@Nullable ConnectOptions options) {
    return options == null ? ConnectOptions.defaults() : options;
  }
}
