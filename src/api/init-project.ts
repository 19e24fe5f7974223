/**
 * `init`: a config file and an empty repository folder. JSON config, since a
 * `.ts` config would need tidemark to be resolvable from the project and
 * JSON is also the fastest to load.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { UsageError, messageOf } from "../errors.js";
import type { IdScheme } from "../graph/revision.js";
import type { ScriptLanguage } from "../repo/scaffold.js";

export interface InitOptions {
  readonly dir?: string;
  readonly scheme?: IdScheme;
  readonly rolling?: boolean;
  readonly language?: ScriptLanguage;
  readonly url?: string;
}

export interface InitResult {
  readonly config: string;
  readonly repository: string;
}

export const INIT_CONFIG_NAME = "tidemark.config.json";

export function initProject(cwd: string, options: InitOptions = {}): InitResult {
  const dir = resolve(cwd, options.dir ?? ".");
  const config = join(dir, INIT_CONFIG_NAME);
  const repository = join(dir, "migrations");
  for (const existing of ["tidemark.config.ts", "tidemark.config.mts", "tidemark.config.js", "tidemark.config.mjs", INIT_CONFIG_NAME]) {
    if (existsSync(join(dir, existing))) {
      throw new UsageError(`${join(dir, existing)} already exists; tidemark init does not overwrite a config.`);
    }
  }
  const document = {
    url: options.url ?? "sqlite:tidemark.db",
    ...(options.language === undefined ? {} : { language: options.language }),
    repositories: {
      core: {
        path: "migrations",
        scheme: options.scheme ?? "graph",
        ...(options.rolling === true ? { rolling: true } : {}),
      },
    },
  };
  try {
    mkdirSync(repository, { recursive: true });
    writeFileSync(join(repository, ".gitkeep"), "");
    writeFileSync(config, `${JSON.stringify(document, null, 2)}\n`, { flag: "wx" });
  } catch (error) {
    throw new UsageError(`Cannot write the project in ${dir}: ${messageOf(error)}`, { cause: error });
  }
  return { config, repository };
}
