// Applies the bench's migrations with umzug, as an umzug user would: the
// migrations run on the driver's connection and umzug records them in a
// table of the same database (a small custom storage, as its docs show).
//   node bench/peers/umzug-run.mjs DIR sqlite:FILE | postgres://…
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Umzug } from "umzug";

const [dir, url] = process.argv.slice(2);
const folder = join(dir, "umzug-migrations");

async function open() {
  if (url.startsWith("sqlite:")) {
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(url.slice("sqlite:".length));
    return {
      run: async (sql, params = []) => db.prepare(sql).run(...params),
      all: async (sql) => db.prepare(sql).all(),
      close: async () => db.close(),
    };
  }
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    run: (sql, params = []) => client.query(sql, params),
    all: async (sql) => (await client.query(sql)).rows,
    close: () => client.end(),
  };
}

const db = await open();
const placeholder = url.startsWith("sqlite:") ? "?" : "$1";
await db.run("CREATE TABLE IF NOT EXISTS umzug_meta (name varchar(255) PRIMARY KEY)");
const umzug = new Umzug({
  migrations: readdirSync(folder)
    .sort()
    .map((file) => ({
      name: file,
      up: () => db.run(readFileSync(join(folder, file), "utf8")),
      down: () => undefined,
    })),
  context: db,
  storage: {
    logMigration: ({ name }) => db.run(`INSERT INTO umzug_meta (name) VALUES (${placeholder})`, [name]),
    unlogMigration: ({ name }) => db.run(`DELETE FROM umzug_meta WHERE name = ${placeholder}`, [name]),
    executed: async () => (await db.all("SELECT name FROM umzug_meta")).map((row) => row.name),
  },
  logger: undefined,
});
try {
  const applied = await umzug.up();
  if (applied.length === 0) throw new Error("umzug applied nothing");
} finally {
  await db.close();
}
