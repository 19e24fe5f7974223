/**
 * The triggers of the main database, for the contract trigger audit. SQLite
 * drops a view's INSTEAD OF triggers with the view, so they are simply not
 * listed any more; names compare without regard to ASCII case.
 */
import type { Connection, LiveTrigger } from "../dialect.js";

export async function sqliteLiveTriggers(connection: Connection): Promise<LiveTrigger[]> {
  const rows = await connection.query<{ name: string; tbl_name: string }>(
    "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' ORDER BY tbl_name, name",
  );
  return rows.map((row) => ({ name: String(row.name), table: String(row.tbl_name) }));
}
