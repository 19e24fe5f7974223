/**
 * A declared schema that cannot be used: it does not load, it is malformed,
 * or the dialect cannot create what it declares. Exit code 2 (SPEC §11:
 * a configuration or schema error), and nothing is written or changed.
 */
import { TidemarkError, type ErrorDetails } from "../errors.js";

export class SchemaError extends TidemarkError {
  constructor(message: string, details?: ErrorDetails) {
    super("schema", 2, message, details);
  }
}
