package dev.presence;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Optional settings of a new session, for
 * {@link PresenceRegistry#connect(String, String, Outbound, ConnectOptions)}: the session's
 * metadata (e.g. from a handshake header), and the user's stored availability and status text.
 * Immutable, hence thread-safe; build it with the {@code with*} methods from {@link #defaults()}.
 *
 * <p>{@code availability} and {@code statusText} apply only when the user has no live state yet
 * (this is their first session, not a reconnect within the offline grace); otherwise the live
 * state, which is newer, is kept. They let a host that stores preferences (e.g. "appear
 * offline") apply them before the user is visible, so an invisible user never flashes online.
 *
 * @param metadata the session's metadata, validated by {@link SessionMetadata#validate}; an
 *     immutable snapshot
 * @param availability the user's availability if new; null for {@link Availability#AVAILABLE}
 * @param statusText the user's status text if new; null for none. An expired text is ignored.
 */
public record ConnectOptions(Map<String, String> metadata, @Nullable Availability availability,
    @Nullable StatusText statusText) {
  private static final ConnectOptions DEFAULTS = new ConnectOptions(Map.of(), null, null);

  /**
   * Validates and copies the metadata.
   *
   * @param metadata the metadata
   * @param availability the availability, or null
   * @param statusText the status text, or null
   * @throws NullPointerException if {@code metadata} is null
   * @throws IllegalArgumentException if the metadata is invalid
   */
  public ConnectOptions {
    metadata = SessionMetadata.validate(metadata);
  }

  /**
   * Returns the options of a plain {@code connect}: no metadata, available, no text.
   *
   * @return the shared default options
   */
  public static ConnectOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Returns a copy with this metadata.
   *
   * @param metadata the session's metadata
   * @return new options
   * @throws IllegalArgumentException if the metadata is invalid
   */
  public ConnectOptions withMetadata(Map<String, String> metadata) {
    return new ConnectOptions(metadata, availability, statusText);
  }

  /**
   * Returns a copy with this availability.
   *
   * @param availability the user's stored availability, or null
   * @return new options
   */
  public ConnectOptions withAvailability(@Nullable Availability availability) {
    return new ConnectOptions(metadata, availability, statusText);
  }

  /**
   * Returns a copy with this status text.
   *
   * @param statusText the user's stored status text, or null
   * @return new options
   */
  public ConnectOptions withStatusText(@Nullable StatusText statusText) {
    return new ConnectOptions(metadata, availability, statusText);
  }
}
