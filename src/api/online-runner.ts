/** A runner that executes on the session's connection and reports statements and steps as workspace events. */
import { Runner, type RunnerOptions } from "../runtime/runner.js";
import { ConnectionSink } from "../runtime/sink.js";
import type { Connection } from "../dialects/dialect.js";
import type { Session } from "./session.js";
import type { Workspace } from "./workspace.js";

export function onlineRunner(
  workspace: Workspace,
  session: Session,
  connection: Connection,
  options: Pick<RunnerOptions, "singleTransaction" | "ensureTables" | "maxCount" | "verifyLock" | "lockHeldCondition" | "signal">,
): Runner {
  const dbSchema = session.options.dbSchema;
  return new Runner({
    dialect: session.dialect,
    sink: new ConnectionSink(connection, (statement) => workspace.notify({ type: "statement", sql: statement.sql })),
    connection,
    logStore: session.logStore,
    ...(dbSchema === undefined ? {} : { dbSchema }),
    tableModel: (table) => session.tableModel(table),
    onEvent: (event) => workspace.notify(event),
    interruption: () => workspace.interruption,
    ...options,
  });
}
