package dev.presence.mongo;

import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bson.BsonDocument;

/** Records every command a client sends, with the thread that sent it. Thread-safe. */
final class CommandLog implements CommandListener {
  /** One command as the driver sent it. */
  record Sent(String name, String thread, BsonDocument command) {
    /** How many statements a write carries (updates, deletes, documents), else 0. */
    int statements() {
      for (String key : List.of("updates", "deletes", "documents")) {
        if (command.isArray(key)) {
          return command.getArray(key).size();
        }
      }
      return 0;
    }

    String collection() {
      return command.isEmpty() || !command.get(command.getFirstKey()).isString()
          ? "" : command.getString(command.getFirstKey()).getValue();
    }
  }

  private final List<Sent> sent = new CopyOnWriteArrayList<>();

  @Override
  public void commandStarted(CommandStartedEvent event) {
    sent.add(new Sent(event.getCommandName(), Thread.currentThread().getName(), event.getCommand().clone()));
  }

  List<Sent> sent() {
    return List.copyOf(sent);
  }

  List<Sent> to(String collection) {
    return sent.stream().filter(s -> s.collection().equals(collection)).toList();
  }

  void clear() {
    sent.clear();
  }
}
