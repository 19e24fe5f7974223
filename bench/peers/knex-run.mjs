// Applies the bench's migrations with knex's migrator, as a knex user would:
//   node bench/peers/knex-run.mjs DIR sqlite:FILE | postgres://…
// DIR/knex-migrations holds one file per migration (see peers.mjs).
import { join } from "node:path";
import knexFactory from "knex";

const [dir, url] = process.argv.slice(2);
const connection = url.startsWith("sqlite:")
  ? { client: "better-sqlite3", connection: { filename: url.slice("sqlite:".length) }, useNullAsDefault: true }
  : { client: "pg", connection: url };
const knex = knexFactory({ ...connection, migrations: { directory: join(dir, "knex-migrations"), loadExtensions: [".cjs"] } });
try {
  const [, applied] = await knex.migrate.latest();
  if (applied.length === 0) throw new Error("knex applied nothing");
} finally {
  await knex.destroy();
}
