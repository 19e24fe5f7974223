/**
 * The Galera connection wrapper without a cluster: which writes it retries
 * after a certification conflict, and how it names a node that went away.
 */
import { describe, expect, it } from "vitest";
import type { Connection, ExecResult, Row } from "../../../src/dialects/dialect.js";
import {
  galeraConnection,
  galeraNodeOf,
  isGaleraConflict,
  isNodeGone,
  type GaleraNode,
} from "../../../src/dialects/mysql/galera-session.js";
import { DatabaseError } from "../../../src/errors.js";
import { ConnectionSink } from "../../../src/runtime/sink.js";

const NODE: GaleraNode = { name: "node2", cluster: "prod", endpoint: "10.0.0.2:3306" };

const conflict = () =>
  new DatabaseError("Deadlock found when trying to get lock; try restarting transaction", {
    fields: { errno: 1213, code: "ER_LOCK_DEADLOCK" },
  });
const lost = () =>
  new DatabaseError("The MySQL connection was lost: Connection lost: The server closed the connection.", {
    cause: Object.assign(new Error("Connection lost: The server closed the connection."), { code: "PROTOCOL_CONNECTION_LOST" }),
  });

/** A connection whose next `failures` statements matching `failing` throw `error()`. */
function fake(failures: number, error: () => Error, failing: RegExp = /^(INSERT|UPDATE|DELETE)/) {
  const seen: string[] = [];
  let left = failures;
  const connection: Connection = {
    dialect: "mysql",
    lost: () => undefined,
    query: <R extends Row = Row>(sql: string): Promise<R[]> => {
      seen.push(sql);
      return Promise.resolve([]);
    },
    execute: (sql: string): Promise<ExecResult> => {
      seen.push(sql);
      if (failing.test(sql) && left > 0) {
        left -= 1;
        return Promise.reject(error());
      }
      return Promise.resolve({ affectedRows: 1 });
    },
    close: () => Promise.resolve(),
  };
  return { connection, seen };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("Galera connection wrapper", () => {
  it("retries a bookkeeping write refused by certification when it runs on its own", async () => {
    const inner = fake(2, conflict);
    const galera = galeraConnection(inner.connection, NODE);
    expect(galeraNodeOf(galera)).toBe(NODE);
    expect(await galera.executeBookkeeping!("INSERT INTO tidemark_log VALUES (1)")).toEqual({ affectedRows: 1 });
    expect(inner.seen).toEqual([
      "INSERT INTO tidemark_log VALUES (1)",
      "INSERT INTO tidemark_log VALUES (1)",
      "INSERT INTO tidemark_log VALUES (1)",
    ]);
  });

  it("never retries inside a transaction: the conflict rolled back the statements before it too", async () => {
    const inner = fake(2, conflict);
    const galera = galeraConnection(inner.connection, NODE);
    await galera.execute("START TRANSACTION");
    const error = await rejection(galera.executeBookkeeping!("UPDATE tidemark_log SET status = 'done'"));
    expect(isGaleraConflict(error)).toBe(true);
    expect(inner.seen).toEqual(["START TRANSACTION", "UPDATE tidemark_log SET status = 'done'"]);
    // Once the transaction ended, a bookkeeping write runs on its own again and is retried.
    await galera.execute("ROLLBACK");
    await galera.executeBookkeeping!("UPDATE tidemark_log SET status = 'failed'");
    expect(inner.seen.slice(3)).toEqual([
      "UPDATE tidemark_log SET status = 'failed'",
      "UPDATE tidemark_log SET status = 'failed'",
    ]);
  });

  it("never retries a user's statement, nor anything once a script turned autocommit off", async () => {
    const user = fake(1, conflict);
    expect(
      isGaleraConflict(await rejection(galeraConnection(user.connection, NODE).execute("UPDATE people SET name = 'x'"))),
    ).toBe(true);
    expect(user.seen).toHaveLength(1);

    const manual = fake(1, conflict);
    const galera = galeraConnection(manual.connection, NODE);
    await galera.execute("SET autocommit = 0");
    await galera.execute("COMMIT");
    expect(isGaleraConflict(await rejection(galera.executeBookkeeping!("INSERT INTO tidemark_log VALUES (2)")))).toBe(true);
    expect(manual.seen.filter((sql) => sql.startsWith("INSERT"))).toHaveLength(1);
  });

  it("gives up on a conflict that keeps coming back, and does not retry other errors", async () => {
    const stubborn = fake(100, conflict);
    await rejection(galeraConnection(stubborn.connection, NODE).executeBookkeeping!("DELETE FROM tidemark_version"));
    expect(stubborn.seen).toHaveLength(6);
    const other = fake(1, () => new DatabaseError("Duplicate entry", { fields: { errno: 1062 } }));
    await rejection(galeraConnection(other.connection, NODE).executeBookkeeping!("INSERT INTO tidemark_version VALUES ('x')"));
    expect(other.seen).toHaveLength(1);
  });

  it("names the node, its address and its cluster when the connection is lost or the node left the primary component", async () => {
    const inner = fake(1, lost, /SELECT/);
    inner.connection.query = () => Promise.reject(lost());
    const error = await rejection(galeraConnection(inner.connection, NODE).query("SELECT 1"));
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toBe(
      'Galera node "node2" at 10.0.0.2:3306 of cluster "prod" went away or left the cluster during the run ' +
        "(The MySQL connection was lost: Connection lost: The server closed the connection); what tidemark committed " +
        "before that is in the cluster: run the command again against a surviving node",
    );
    expect((error as DatabaseError).fields).toEqual({ galeraNode: "node2", endpoint: "10.0.0.2:3306" });
    expect(
      isNodeGone(new DatabaseError("WSREP has not yet prepared node for application use", { fields: { errno: 1047 } })),
    ).toBe(true);
    expect(isNodeGone(conflict())).toBe(false);
  });

  it("the online sink sends version and log writes, and only those, through the bookkeeping path", async () => {
    const inner = fake(1, conflict);
    const sink = new ConnectionSink(galeraConnection(inner.connection, NODE));
    await sink.emit({ sql: "INSERT INTO tidemark_version VALUES ('1')", bookkeeping: true });
    expect(inner.seen).toHaveLength(2);
    const user = fake(1, conflict);
    const userSink = new ConnectionSink(galeraConnection(user.connection, NODE));
    await rejection(userSink.emit({ sql: "INSERT INTO people VALUES (1)" }));
    expect(user.seen).toHaveLength(1);
  });
});
