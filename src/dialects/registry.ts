/**
 * Maps a dialect name to its implementation, importing it only when asked:
 * a SQLite user never loads the PostgreSQL or MySQL code (nor their drivers).
 */
import type { Dialect, DialectName } from "./dialect.js";
import { UsageError } from "../errors.js";

const ALIASES: Readonly<Record<string, DialectName>> = {
  sqlite: "sqlite",
  sqlite3: "sqlite",
  postgres: "postgres",
  postgresql: "postgres",
  pg: "postgres",
  mysql: "mysql",
  mariadb: "mysql",
};

export function dialectName(name: string): DialectName {
  const found = ALIASES[name.toLowerCase()];
  if (found === undefined) {
    throw new UsageError(`Unknown dialect "${name}": use one of sqlite, postgresql, mysql (or mariadb).`);
  }
  return found;
}

export async function loadDialect(name: DialectName): Promise<Dialect> {
  switch (name) {
    case "sqlite":
      return (await import("./sqlite/sqlite-dialect.js")).sqliteDialect;
    case "postgres":
      return (await import("./postgres/postgres-dialect.js")).postgresDialect;
    case "mysql":
      return (await import("./mysql/mysql-dialect.js")).mysqlDialect;
  }
}
