/**
 * The `op` object scripts receive. Every method builds a plain Op and hands it
 * to the one funnel (`run`), in call order: calls are chained, so a script that
 * forgets an `await` still runs its operations in order, and the step waits
 * for the chain (`drain`) before it commits.
 */
import type { DialectName, Row } from "../vocabulary.js";
import type {
  CheckDef,
  ColumnDef,
  ColumnSpec,
  ConstraintType,
  DefaultValue,
  ForeignKeyAction,
  ForeignKeyDef,
  Op,
  SqlExpression,
  UniqueDef,
} from "./op.js";
import { sqlExpression } from "./op.js";
import { defaultConstraintName, typeChangeNames } from "./naming.js";
import type { BackfillOptions, BackfillResult } from "./backfill-options.js";

export interface CreateTableOptions {
  readonly primaryKey?: readonly string[];
  readonly uniques?: readonly UniqueDef[];
  readonly checks?: readonly CheckDef[];
  readonly foreignKeys?: readonly ForeignKeyDef[];
  readonly ifNotExists?: boolean;
}

export interface AlterColumnChanges {
  readonly type?: string;
  readonly nullable?: boolean;
  readonly default?: DefaultValue;
  readonly using?: string;
}

export interface CreateIndexOptions {
  readonly name?: string;
  readonly unique?: boolean;
  readonly concurrently?: boolean;
  readonly where?: string;
  readonly ifNotExists?: boolean;
}

export interface ForeignKeyOptions {
  readonly name?: string;
  readonly onDelete?: ForeignKeyAction;
  readonly onUpdate?: ForeignKeyAction;
  /** PostgreSQL `NOT VALID` (expand); `validateConstraint` checks the old rows later (migrate). */
  readonly notValid?: boolean;
}

export interface ChangeTypeOptions {
  /** The new type (portable name or the dialect's own). */
  readonly type: string;
  /** SQL computing the new column from the written row (`NEW.<column>`); default: the column itself. */
  readonly forward?: string;
  /** SQL computing the old column from the new one (`NEW.<replacement>`); default: the new column itself. */
  readonly backward?: string;
}

export interface BackfillTypeChangeOptions {
  /** SQL computing the new column from the row's old one; default: the column itself (an assignment cast). */
  readonly using?: string;
  readonly key?: string;
  readonly batchSize?: number;
  readonly batchMs?: number;
}

export interface ExecuteOptions {
  /** Marks a statement the phase classifier cannot judge; the reason is listed by `check`. */
  readonly unsafe?: string;
}

export interface QueryOptions {
  /**
   * The statement only reads. In a rolling phase op.query needs this (or
   * `unsafe`): tidemark then proves the statement is a read before the step runs.
   */
  readonly readOnly?: boolean;
  /** Lets a statement through that the phase rules would refuse; `check` lists the reason. */
  readonly unsafe?: string;
}

export interface SyncColumnsOptions {
  readonly table: string;
  readonly from: string | readonly string[];
  readonly to: string | readonly string[];
  /** SQL computing the new column(s) from the row; `NEW.<col>` is the written row. One string when `to` is one column. */
  readonly forward: string | Readonly<Record<string, string>>;
  /** SQL computing the old column(s) from the new one(s). */
  readonly backward: string | Readonly<Record<string, string>>;
  /** Names the trigger set; defaults to `<table>_<from>_<to>`. */
  readonly name?: string;
}

export interface DropSyncOptions {
  readonly table: string;
  readonly from?: string | readonly string[];
  readonly to?: string | readonly string[];
  readonly name?: string;
}

/** The full builder. Phase builders (phases/phase-builders.ts) are subsets of it. */
export interface OpBuilder {
  /** True when the script is being rendered to SQL without a database. */
  readonly offline: boolean;
  readonly dialect: DialectName;
  sql(text: string): SqlExpression;
  createTable(table: string, columns: Readonly<Record<string, ColumnSpec>>, options?: CreateTableOptions): Promise<void>;
  dropTable(table: string, options?: { readonly ifExists?: boolean }): Promise<void>;
  /** `overAlias`: the contract half of `aliasTable(table, to)`, replacing the view atomically. */
  renameTable(table: string, to: string, options?: { readonly overAlias?: boolean }): Promise<void>;
  /** A writable view `alias` over `table`, so both names work while a rename rolls out (expand). */
  aliasTable(table: string, alias: string): Promise<void>;
  addColumn(table: string, column: string, spec: ColumnSpec): Promise<void>;
  dropColumn(table: string, column: string): Promise<void>;
  alterColumn(table: string, column: string, changes: AlterColumnChanges): Promise<void>;
  renameColumn(table: string, column: string, to: string): Promise<void>;
  createIndex(table: string, columns: readonly string[], options?: CreateIndexOptions): Promise<void>;
  dropIndex(
    table: string,
    name: string,
    options?: { readonly concurrently?: boolean; readonly ifExists?: boolean },
  ): Promise<void>;
  addForeignKey(
    table: string,
    columns: readonly string[],
    refTable: string,
    refColumns: readonly string[],
    options?: ForeignKeyOptions,
  ): Promise<void>;
  addUnique(table: string, columns: readonly string[], options?: { readonly name?: string }): Promise<void>;
  addCheck(table: string, name: string, expression: string, options?: { readonly notValid?: boolean }): Promise<void>;
  /** Checks the old rows against a constraint added with `notValid` (PostgreSQL; nothing to do elsewhere). */
  validateConstraint(table: string, name: string): Promise<void>;
  /** SET NOT NULL through a validated CHECK, so writers are not blocked while the rows are scanned (contract). */
  setNotNull(table: string, column: string): Promise<void>;
  /** Expand half of a type change: a new column of the new type, kept in step by triggers. */
  changeType(table: string, column: string, options: ChangeTypeOptions): Promise<void>;
  /** Migrate half: fills the new column of rows written before expand, in batches. */
  backfillTypeChange(table: string, column: string, options?: BackfillTypeChangeOptions): Promise<BackfillResult>;
  /** Contract half: drops the triggers and the old column, and gives the new one its name. */
  finishTypeChange(table: string, column: string): Promise<void>;
  dropConstraint(table: string, name: string, options?: { readonly type?: ConstraintType }): Promise<void>;
  createView(name: string, sql: string, options?: { readonly orReplace?: boolean }): Promise<void>;
  dropView(name: string, options?: { readonly ifExists?: boolean }): Promise<void>;
  execute(sql: string, params?: readonly unknown[] | ExecuteOptions, options?: ExecuteOptions): Promise<void>;
  query<R extends Row = Row>(sql: string, params?: readonly unknown[] | QueryOptions, options?: QueryOptions): Promise<R[]>;
  bulkInsert(table: string, rows: readonly Readonly<Record<string, unknown>>[]): Promise<void>;
  backfill(options: BackfillOptions): Promise<BackfillResult>;
  syncColumns(options: SyncColumnsOptions): Promise<void>;
  dropSync(options: DropSyncOptions): Promise<void>;
  forbidWrites(table: string, options?: { readonly message?: string }): Promise<void>;
  allowWrites(table: string): Promise<void>;
}

export type OpMethod = Exclude<keyof OpBuilder, "offline" | "dialect">;

/** What the builder needs from the step it runs in. */
export interface OpSink {
  readonly offline: boolean;
  readonly dialect: DialectName;
  run(op: Op): Promise<void>;
  /** `line`: where the script called op.query, for messages. */
  query(sql: string, params: readonly unknown[], line?: number, options?: QueryOptions): Promise<Row[]>;
  backfill(options: BackfillOptions): Promise<BackfillResult>;
  /** The script file running, so that messages can name the line of a call. */
  readonly file?: string;
  /** Called before every method; throws to refuse one (phase builders for JavaScript authors). */
  allow?(method: OpMethod): void;
}

export interface DrainableOpBuilder extends OpBuilder {
  /** Resolves when every started operation finished; rejects with the first failure. */
  drain(): Promise<void>;
}

const CALL_SITE = Symbol("tidemark.callSite");

/** The stack at the script's call of the op that failed with `error` (frames of the script included). */
export function callSiteOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null || !(CALL_SITE in error)) return undefined;
  return (error as { [CALL_SITE]?: string })[CALL_SITE];
}

/** The line of the first stack frame in `file`: the script's call site. */
export function callerLine(file: string): number | undefined {
  const stack = new Error().stack ?? "";
  for (const frame of stack.split("\n")) {
    const at = frame.lastIndexOf(file);
    if (at === -1) continue;
    const match = /^:(\d+)/.exec(frame.slice(at + file.length));
    if (match !== null) return Number(match[1]);
  }
  return undefined;
}

function lineOf(line: number | undefined): { readonly line?: number } {
  return line === undefined ? {} : { line };
}

function list(value: string | readonly string[]): readonly string[] {
  return typeof value === "string" ? [value] : value;
}

function expressions(
  value: string | Readonly<Record<string, string>>,
  columns: readonly string[],
  what: string,
): Readonly<Record<string, string>> {
  if (typeof value !== "string") return value;
  if (columns.length !== 1) {
    throw new TypeError(`syncColumns: ${what} must map each of ${columns.join(", ")} to an expression`);
  }
  return { [columns[0] as string]: value };
}

function columnDefs(columns: Readonly<Record<string, ColumnSpec>>): ColumnDef[] {
  return Object.entries(columns).map(([name, spec]) => ({ ...spec, name }));
}

export function syncName(table: string, from: readonly string[], to: readonly string[], name?: string): string {
  return name ?? `${table}_${from.join("_")}_${to.join("_")}`;
}

/** A column name in the sink dialect's quoting, for expressions the builder writes itself. */
function quoteName(dialect: DialectName, name: string): string {
  const quote = dialect === "mysql" ? "`" : '"';
  return `${quote}${name.split(quote).join(quote + quote)}${quote}`;
}

export function createOpBuilder(sink: OpSink): DrainableOpBuilder {
  let chain: Promise<unknown> = Promise.resolve();
  let firstError: unknown;
  let failed = false;

  // Chains a call after the previous one. Once one fails, later calls reject
  // with that failure instead of running against a half-done step.
  function enqueue<T>(method: OpMethod, work: () => Promise<T>): Promise<T> {
    sink.allow?.(method);
    const next = chain.then(() => {
      if (failed) throw firstError;
      return work();
    });
    chain = next.catch((error: unknown) => {
      if (!failed) {
        failed = true;
        firstError = error;
      }
    });
    // A script that does not await a call must not crash the process with an
    // unhandled rejection: drain() reports the failure instead.
    next.catch(() => undefined);
    return next;
  }
  const run = (method: OpMethod, op: Op): Promise<void> => {
    // Ops run queued, after the script's call returned: keep where it was called, for the
    // message if the op fails. V8 formats a captured stack only when it is read.
    const site: { stack?: string } = {};
    Error.captureStackTrace(site);
    return enqueue(method, () =>
      sink.run(op).catch((error: unknown) => {
        if (typeof error === "object" && error !== null && !(CALL_SITE in error)) {
          Object.defineProperty(error, CALL_SITE, { get: () => site.stack, enumerable: false });
        }
        throw error;
      }),
    );
  };

  return {
    offline: sink.offline,
    dialect: sink.dialect,
    sql: (text) => sqlExpression(text),
    createTable: (table, columns, options = {}) =>
      run("createTable", { kind: "createTable", table, columns: columnDefs(columns), ...options }),
    dropTable: (table, options = {}) => run("dropTable", { kind: "dropTable", table, ...options }),
    renameTable: (table, to, options = {}) =>
      run("renameTable", { kind: "renameTable", table, to, ...(options.overAlias === true ? { overAlias: true } : {}) }),
    aliasTable: (table, alias) => run("aliasTable", { kind: "aliasTable", table, alias }),
    addColumn: (table, column, spec) => run("addColumn", { kind: "addColumn", table, column: { ...spec, name: column } }),
    dropColumn: (table, column) => run("dropColumn", { kind: "dropColumn", table, column }),
    alterColumn: (table, column, changes) => run("alterColumn", { kind: "alterColumn", table, column, ...changes }),
    renameColumn: (table, column, to) => run("renameColumn", { kind: "renameColumn", table, column, to }),
    createIndex: (table, columns, options = {}) =>
      run("createIndex", {
        kind: "createIndex",
        table,
        columns,
        ...options,
        name: options.name ?? defaultConstraintName(options.unique ? "uq" : "ix", table, columns),
      }),
    dropIndex: (table, name, options = {}) => run("dropIndex", { kind: "dropIndex", table, name, ...options }),
    addForeignKey: (table, columns, refTable, refColumns, options = {}) =>
      run("addForeignKey", {
        kind: "addForeignKey",
        table,
        columns,
        refTable,
        refColumns,
        ...options,
        name: options.name ?? defaultConstraintName("fk", table, [...columns, refTable]),
      }),
    addUnique: (table, columns, options = {}) =>
      run("addUnique", { kind: "addUnique", table, columns, name: options.name ?? defaultConstraintName("uq", table, columns) }),
    addCheck: (table, name, expression, options = {}) =>
      run("addCheck", { kind: "addCheck", table, name, expression, ...(options.notValid === true ? { notValid: true } : {}) }),
    validateConstraint: (table, name) => run("validateConstraint", { kind: "validateConstraint", table, name }),
    setNotNull: (table, column) => run("setNotNull", { kind: "setNotNull", table, column }),
    changeType: (table, column, options) => {
      const names = typeChangeNames(table, column);
      const q = (name: string): string => quoteName(sink.dialect, name);
      void run("changeType", { kind: "addColumn", table, column: { name: names.replacement, type: options.type } });
      return run("changeType", {
        kind: "syncColumns",
        table,
        name: names.sync,
        from: [column],
        to: [names.replacement],
        forward: { [names.replacement]: options.forward ?? `NEW.${q(column)}` },
        backward: { [column]: options.backward ?? `NEW.${q(names.replacement)}` },
      });
    },
    backfillTypeChange: (table, column, options = {}) => {
      const names = typeChangeNames(table, column);
      const q = (name: string): string => quoteName(sink.dialect, name);
      return enqueue("backfillTypeChange", () =>
        sink.backfill({
          table,
          set: { [names.replacement]: options.using ?? q(column) },
          where: `${q(names.replacement)} IS NULL AND ${q(column)} IS NOT NULL`,
          ...(options.key === undefined ? {} : { key: options.key }),
          ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
          ...(options.batchMs === undefined ? {} : { batchMs: options.batchMs }),
        }),
      );
    },
    finishTypeChange: (table, column) => {
      const names = typeChangeNames(table, column);
      return run("finishTypeChange", { kind: "swapColumn", table, column, replacement: names.replacement, sync: names.sync });
    },
    dropConstraint: (table, name, options = {}) => run("dropConstraint", { kind: "dropConstraint", table, name, ...options }),
    createView: (name, sql, options = {}) => run("createView", { kind: "createView", name, sql, ...options }),
    dropView: (name, options = {}) => run("dropView", { kind: "dropView", name, ...options }),
    execute: (sql, paramsOrOptions, options) => {
      const params = Array.isArray(paramsOrOptions) ? (paramsOrOptions as readonly unknown[]) : undefined;
      const opts = Array.isArray(paramsOrOptions) ? options : ((paramsOrOptions as ExecuteOptions | undefined) ?? options);
      return run("execute", {
        kind: "execute",
        sql,
        ...(params === undefined ? {} : { params }),
        ...(opts?.unsafe === undefined ? {} : { unsafe: opts.unsafe }),
        // `check` lists marks by line; only marked calls pay for reading the stack.
        ...(opts?.unsafe === undefined || sink.file === undefined ? {} : lineOf(callerLine(sink.file))),
      });
    },
    query: <R extends Row = Row>(sql: string, paramsOrOptions?: readonly unknown[] | QueryOptions, options?: QueryOptions) => {
      const params = Array.isArray(paramsOrOptions) ? (paramsOrOptions as readonly unknown[]) : [];
      const opts = Array.isArray(paramsOrOptions) ? options : ((paramsOrOptions as QueryOptions | undefined) ?? options);
      // Calls are queued, so the script's line is only known here, at the call.
      const line = sink.file === undefined ? undefined : callerLine(sink.file);
      return enqueue("query", () => sink.query(sql, params, line, opts)) as Promise<R[]>;
    },
    bulkInsert: (table, rows) => run("bulkInsert", { kind: "bulkInsert", table, rows }),
    backfill: (options) => enqueue("backfill", () => sink.backfill(options)),
    syncColumns: (options) => {
      const from = list(options.from);
      const to = list(options.to);
      return run("syncColumns", {
        kind: "syncColumns",
        table: options.table,
        name: syncName(options.table, from, to, options.name),
        from,
        to,
        forward: expressions(options.forward, to, "forward"),
        backward: expressions(options.backward, from, "backward"),
      });
    },
    dropSync: (options) => {
      if (options.name === undefined && (options.from === undefined || options.to === undefined)) {
        throw new TypeError("dropSync needs the `name` or the `from` and `to` given to syncColumns");
      }
      return run("dropSync", {
        kind: "dropSync",
        table: options.table,
        name: syncName(options.table, list(options.from ?? []), list(options.to ?? []), options.name),
      });
    },
    forbidWrites: (table, options = {}) => run("forbidWrites", { kind: "forbidWrites", table, ...options }),
    allowWrites: (table) => run("allowWrites", { kind: "allowWrites", table }),
    drain: async () => {
      await chain;
      if (failed) throw firstError;
    },
  };
}
