/**
 * Loading pg on Node 20 must not load Node's fetch implementation (undici):
 * pg's Cloudflare check builds a `Response` when there is no `navigator`
 * global, which cost a third of pg's load time on every PostgreSQL command.
 * The `navigator` tidemark lends for that check must not outlive it.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { PG_ADMIN_URL, testDialects } from "../helpers/databases.js";

const dist = (path: string) => fileURLToPath(new URL(`../../dist/${path}`, import.meta.url));
const dialects = (await testDialects()).filter((dialect) => dialect === "postgres");

describe.each(dialects)("connecting to %s", () => {
  it("loads pg without undici and leaves no navigator global behind", () => {
    const script = `
      const { parseDatabaseUrl } = await import(${JSON.stringify(dist("config/database-url.js"))});
      const { connectPostgres } = await import(${JSON.stringify(dist("dialects/postgres/postgres-driver.js"))});
      const before = typeof globalThis.navigator;
      const connection = await connectPostgres(parseDatabaseUrl(${JSON.stringify(PG_ADMIN_URL)}));
      const [row] = await connection.query("SELECT 1 AS one");
      await connection.close();
      console.log(JSON.stringify({
        one: row.one,
        undici: process.moduleLoadList.some((name) => name.includes("undici")),
        navigator: [before, typeof globalThis.navigator],
      }));`;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(child.status, child.stderr).toBe(0);
    const seen = JSON.parse(child.stdout) as { one: number; undici: boolean; navigator: string[] };
    expect(seen.one).toBe(1);
    expect(seen.undici).toBe(false);
    // Node 21+ has its own navigator, which stays as it was.
    expect(seen.navigator[1]).toBe(seen.navigator[0]);
  });
});
