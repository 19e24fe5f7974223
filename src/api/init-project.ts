/**
 * `init`: a config file and an empty repository folder. JSON config, since a
 * `.ts` config would need tidemark to be resolvable from the project and
 * JSON is also the fastest to load.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { UsageError, messageOf } from "../errors.js";
import type { IdScheme } from "../graph/revision.js";
import type { ScriptLanguage } from "../repo/scaffold.js";
import { DATED_FILE_TEMPLATE } from "../util/file-name-template.js";

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

/**
 * The URL `init` writes: DATABASE_URL when it is set (it wins over the
 * config anyway, and the config says so), else a SQLite file beside the
 * config.
 */
export function initialUrl(fallback = "sqlite:tidemark.db"): string {
  return `\${DATABASE_URL:-${fallback}}`;
}

export function initProject(cwd: string, options: InitOptions = {}): InitResult {
  const dir = resolve(cwd, options.dir ?? ".");
  const config = join(dir, INIT_CONFIG_NAME);
  const repository = join(dir, "migrations");
  for (const existing of [
    "tidemark.config.ts",
    "tidemark.config.mts",
    "tidemark.config.js",
    "tidemark.config.mjs",
    INIT_CONFIG_NAME,
  ]) {
    if (existsSync(join(dir, existing))) {
      throw new UsageError(`${join(dir, existing)} already exists; tidemark init does not overwrite a config.`);
    }
  }
  const document = {
    url: initialUrl(options.url),
    ...(options.language === undefined ? {} : { language: options.language }),
    // Graph ids are random: a date first makes a folder listing the order revisions were written in.
    ...((options.scheme ?? "graph") === "graph" ? { fileTemplate: DATED_FILE_TEMPLATE } : {}),
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

export interface InitExtensionResult {
  readonly repository: string;
  /** The JSON config that now lists the extension, or undefined when the config must be edited by hand. */
  readonly config: string | undefined;
  /** What to add to a non-JSON config. */
  readonly snippet: string;
}

/**
 * `init --extension NAME`: keystone's layout for an extension repository
 * (`extensions/NAME/migrate_repo/` with `migrate.cfg` and `versions/`),
 * added to tidemark.config.json when the project uses one.
 */
export function initExtension(
  cwd: string,
  name: string,
  options: { readonly dir?: string; readonly scheme?: IdScheme } = {},
): InitExtensionResult {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new UsageError(`"${name}" is not a valid extension name (letters, digits, _ . -).`);
  const dir = resolve(cwd, options.dir ?? ".");
  const relative = `extensions/${name}/migrate_repo`;
  const repository = join(dir, relative);
  if (existsSync(repository)) throw new UsageError(`${repository} already exists; tidemark init does not overwrite it.`);
  const jsonConfig = join(dir, INIT_CONFIG_NAME);
  const otherConfig = ["tidemark.config.ts", "tidemark.config.mts", "tidemark.config.js", "tidemark.config.mjs"]
    .map((file) => join(dir, file))
    .find((file) => existsSync(file));
  const entry = { path: relative, extension: true, scheme: options.scheme ?? "numbered" };
  let document: { repositories?: Record<string, unknown> } & Record<string, unknown>;
  if (existsSync(jsonConfig)) {
    try {
      document = JSON.parse(readFileSync(jsonConfig, "utf8")) as typeof document;
    } catch (error) {
      throw new UsageError(`Cannot read ${jsonConfig}: ${messageOf(error)}`, { cause: error });
    }
    if (document.repositories?.[name] !== undefined) throw new UsageError(`${jsonConfig} already has a repository "${name}".`);
  } else {
    document = { url: initialUrl(), repositories: { core: { path: "migrations" } } };
  }
  try {
    mkdirSync(join(repository, "versions"), { recursive: true });
    writeFileSync(join(repository, "versions", ".gitkeep"), "");
    writeFileSync(
      join(repository, "migrate.cfg"),
      `[db_settings]\nrepository_id=${name}\nversion_table=tidemark_version\nrequired_dbs=[]\n`,
    );
    if (otherConfig === undefined) {
      document.repositories = { ...(document.repositories ?? {}), [name]: entry };
      writeFileSync(jsonConfig, `${JSON.stringify(document, null, 2)}\n`);
    }
  } catch (error) {
    throw new UsageError(`Cannot write the extension in ${dir}: ${messageOf(error)}`, { cause: error });
  }
  return {
    repository,
    config: otherConfig === undefined ? jsonConfig : undefined,
    snippet: `${name}: { path: "${relative}", extension: true }`,
  };
}
