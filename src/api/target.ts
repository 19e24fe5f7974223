/** The database a workspace acts on, described for people and `--json` (never with the password). */
import { join } from "node:path";
import type { DatabaseTarget } from "./types.js";
import type { Workspace } from "./workspace.js";

export function databaseTarget(workspace: Workspace): DatabaseTarget {
  const { url, config } = workspace;
  const sourceFile =
    config.urlSource === "config"
      ? config.configFiles[config.configFiles.length - 1]
      : config.urlSource === "env-file"
        ? join(config.baseDir, ".env")
        : undefined;
  return {
    dialect: url.dialect,
    url: url.redacted,
    ...(url.path === undefined ? {} : { path: url.path }),
    ...(url.host === undefined ? {} : { host: url.host }),
    ...(url.port === undefined ? {} : { port: url.port }),
    ...(url.socket === undefined ? {} : { socket: url.socket }),
    ...(url.database === undefined ? {} : { database: url.database }),
    ...(url.user === undefined ? {} : { user: url.user }),
    source: config.urlSource,
    ...(sourceFile === undefined ? {} : { sourceFile }),
  };
}
