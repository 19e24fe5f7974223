/**
 * Identifiers are always quoted, so reserved words, mixed case, spaces and
 * quote characters round-trip and nothing can be injected through a name.
 */
import { invalidIdentifier } from "./compile-errors.js";

export type QuoteChar = '"' | "`";

export function quoteWith(name: string, quote: QuoteChar): string {
  if (name.length === 0) throw invalidIdentifier(name, "it is empty");
  // No database accepts NUL in a name, and some drivers cut the SQL text there.
  if (name.includes("\0")) throw invalidIdentifier(name, "it contains a NUL character");
  return `${quote}${name.split(quote).join(quote + quote)}${quote}`;
}

/** `"schema"."table"` when a schema is given, else just the quoted name. */
export function qualifyWith(name: string, schema: string | undefined, quote: QuoteChar): string {
  const table = quoteWith(name, quote);
  return schema === undefined || schema === "" ? table : `${quoteWith(schema, quote)}.${table}`;
}
