/**
 * The triggers of the session's schema as pg_trigger holds them, for the
 * contract trigger audit. `xmin` is the transaction that created the
 * catalog row: a trigger created inside a function or DO block has the
 * xmin of the step that ran it, which is how the audit ties it to that
 * step although no statement of the script names it.
 */
import type { Connection, LiveTrigger, Statement } from "../dialect.js";

export async function postgresLiveTriggers(connection: Connection): Promise<LiveTrigger[]> {
  // PostgreSQL 13+ marks the copies of a partitioned table's trigger on its partitions (tgparentid):
  // a partition created in expand gets them in expand's transaction, but they are not expand's triggers.
  const [server] = await connection.query<{ version: string | number }>(
    "SELECT current_setting('server_version_num') AS version",
  );
  const cloned = Number(server?.version ?? 0) >= 130000 ? "t.tgparentid <> 0" : "false";
  const rows = await connection.query<{ name: string; table: string; xid: string; cloned: boolean }>(
    `SELECT t.tgname AS name, c.relname AS "table", t.xmin::text AS xid, ${cloned} AS cloned FROM pg_trigger t ` +
      "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace " +
      "WHERE n.nspname = current_schema() AND NOT t.tgisinternal ORDER BY c.relname, t.tgname",
  );
  return rows.map((row) => ({
    name: row.name,
    table: row.table,
    ...(row.cloned === true ? { inherited: true } : { transaction: row.xid }),
  }));
}

/**
 * The xmin of the newest row of `table` (tidemark_log) that `where`
 * selects: the transaction of that step. None when another row was written
 * in the same transaction (`--single-transaction`): that transaction then
 * created other steps' triggers too and names no single step.
 */
export async function postgresRowTransaction(
  connection: Connection,
  table: string,
  where: Statement,
): Promise<string | undefined> {
  const rows = await connection.query<{ xid: string; shared: string | number }>(
    `SELECT l.xmin::text AS xid, (SELECT COUNT(*) FROM ${table} o WHERE o.xmin = l.xmin) AS shared ` +
      `FROM ${table} l WHERE ${where.sql} ORDER BY l.id DESC LIMIT 1`,
    where.params ?? [],
  );
  const row = rows[0];
  return row === undefined || Number(row.shared) !== 1 ? undefined : row.xid;
}
