/** Reads a test database directly through tidemark's own connection layer. */
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import { loadDialect } from "../../src/dialects/registry.js";

export async function queryDatabase(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const parsed = parseDatabaseUrl(url);
  const dialect = await loadDialect(parsed.dialect);
  const connection = await dialect.driver.connect(parsed);
  try {
    return await connection.query(sql);
  } finally {
    await connection.close();
  }
}
