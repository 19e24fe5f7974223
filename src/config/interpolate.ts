/**
 * `${NAME}` and `${NAME:-fallback}` in a config's `url`, so that a JSON or
 * ini config (which cannot run code) can still say where the URL comes
 * from: `init` writes `"url": "${DATABASE_URL:-sqlite:tidemark.db}"`. The
 * shell's syntax, because that is what users already read; only these two
 * forms, and only upper-case-style names, so a `$` in a password stays
 * itself.
 */
import { ConfigError } from "../errors.js";

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Expands every reference; an unset (or empty) variable without a fallback is a ConfigError naming it and `source`. */
export function expandVariables(text: string, env: Readonly<Record<string, string | undefined>>, source: string): string {
  return text.replace(REFERENCE, (_whole, name: string, fallback: string | undefined) => {
    const value = env[name];
    if (value !== undefined && value !== "") return value;
    if (fallback !== undefined) return fallback;
    throw new ConfigError(
      `${source}: the database URL uses \${${name}}, which is not set. Set ${name} (in the environment or in .env ` +
        `beside the config), give --url, or write a fallback: \${${name}:-sqlite:tidemark.db}.`,
      { fields: { file: source, variable: name } },
    );
  });
}
