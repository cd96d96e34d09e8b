package dev.presence;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads the published JSON schemas of docs/schema with format assertions on. */
final class Schemas {
  private Schemas() {}

  static Schema load(String name) throws Exception {
    String text = Files.readString(Path.of("..", "docs", "schema", name));
    SchemaRegistry schemas = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
        b -> b.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    return schemas.getSchema(text, InputFormat.JSON);
  }
}
