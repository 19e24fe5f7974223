/** The triggers of the current database, for the contract trigger audit. MySQL/MariaDB compare trigger names exactly. */
import type { Connection, LiveTrigger } from "../dialect.js";

export async function mysqlLiveTriggers(connection: Connection): Promise<LiveTrigger[]> {
  const rows = await connection.query<{ name: string; tbl: string }>(
    "SELECT TRIGGER_NAME AS name, EVENT_OBJECT_TABLE AS tbl FROM information_schema.TRIGGERS " +
      "WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY EVENT_OBJECT_TABLE, TRIGGER_NAME",
  );
  return rows.map((row) => ({ name: String(row.name), table: String(row.tbl) }));
}
