/**
 * `.env` in the project root (the config's folder), as Prisma, Vite and
 * node-pg-migrate users expect. Parsed by Node's own `util.parseEnv` (the
 * `--env-file` format); a variable already set is never overridden, so the
 * shell, CI and the container's environment win over the file.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { ConfigError, messageOf } from "../errors.js";

export const ENV_FILE_NAME = ".env";

export type Environment = Record<string, string | undefined>;

/**
 * Sets the variables of `dir/.env` that `env` does not have yet; returns
 * the names it set. A missing file is no error, an unreadable one is.
 */
export function loadEnvFile(dir: string, env: Environment): string[] {
  const file = join(dir, ENV_FILE_NAME);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR") return [];
    throw new ConfigError(`${file}: cannot read the environment file: ${messageOf(error)}`, { fields: { file } });
  }
  const added: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (env[name] !== undefined) continue;
    env[name] = value;
    added.push(name);
  }
  return added;
}
