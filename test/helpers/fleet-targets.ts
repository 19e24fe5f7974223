/**
 * Small fleets of real databases for the fleet tests: N targets of one
 * dialect, one of them broken until `fix()` (SQLite: a file that is not a
 * database; servers: a database that does not exist yet).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DialectName } from "../../src/vocabulary.js";
import { connectAdmin, MYSQL_ADMIN_URL, PG_ADMIN_URL, uniqueName, withDatabase } from "./databases.js";

export interface TestFleet {
  readonly urls: readonly string[];
  /** Makes the broken target a usable, empty database. */
  fix(): Promise<void>;
  drop(): Promise<void>;
}

export async function makeTestFleet(dialect: DialectName, count: number, broken: number | undefined): Promise<TestFleet> {
  if (dialect === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "tidemark-fleet-"));
    const urls = Array.from({ length: count }, (_, i) => `sqlite:${join(dir, `t${i}.db`)}`);
    if (broken !== undefined) writeFileSync(join(dir, `t${broken}.db`), "not a database at all, just text\n".repeat(4));
    return {
      urls,
      fix: async () => rmSync(join(dir, `t${broken}.db`), { force: true }),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const names = Array.from({ length: count }, (_, i) => uniqueName(`tm_fl${i}`));
  const server = dialect === "postgres" ? PG_ADMIN_URL : MYSQL_ADMIN_URL;
  const quote = (name: string) => (dialect === "postgres" ? `"${name}"` : `\`${name}\``);
  const admin = await connectAdmin(dialect);
  try {
    for (const [i, name] of names.entries()) if (i !== broken) await admin.execute(`CREATE DATABASE ${quote(name)}`);
  } finally {
    await admin.close();
  }
  return {
    urls: names.map((name) => withDatabase(server, name)),
    async fix() {
      if (broken === undefined) return;
      const connection = await connectAdmin(dialect);
      try {
        await connection.execute(`CREATE DATABASE ${quote(names[broken] as string)}`);
      } finally {
        await connection.close();
      }
    },
    async drop() {
      const connection = await connectAdmin(dialect);
      try {
        for (const name of names) {
          if (dialect === "postgres") {
            await connection.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ?", [name]);
          }
          await connection.execute(`DROP DATABASE IF EXISTS ${quote(name)}`);
        }
      } finally {
        await connection.close();
      }
    },
  };
}
