/** Shared by the autogenerate tests: run ops straight on a connection, count catalog queries. */
import type { Connection, Dialect } from "../../src/dialects/dialect.js";
import type { Op } from "../../src/ops/op.js";

/** Compiles and runs ops as an online step would (table shapes introspected when the compiler needs them). */
export async function applyOps(dialect: Dialect, connection: Connection, ops: readonly Op[]): Promise<void> {
  for (const statement of dialect.transactions.runSetup) await connection.execute(statement.sql);
  try {
    for (const op of ops) {
      const table =
        "table" in op && dialect.compiler.needsTableModel(op)
          ? (await dialect.introspector.introspect(connection, { exclude: [] })).tables.find((t) => t.name === op.table)
          : undefined;
      for (const statement of dialect.compiler.compile(op, table === undefined ? {} : { table })) {
        await connection.execute(statement.sql, statement.params);
      }
    }
  } finally {
    for (const statement of dialect.transactions.runTeardown) await connection.execute(statement.sql);
  }
}

/** A connection that counts the statements sent through it. */
export function countingConnection(connection: Connection): { connection: Connection; count(): number } {
  let count = 0;
  const counted: Connection = {
    dialect: connection.dialect,
    query: (sql, params) => {
      count += 1;
      return connection.query(sql, params);
    },
    execute: (sql, params) => {
      count += 1;
      return connection.execute(sql, params);
    },
    lost: () => connection.lost(),
    close: () => connection.close(),
  };
  return { connection: counted, count: () => count };
}
