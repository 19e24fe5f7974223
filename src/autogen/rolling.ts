/**
 * A comparison's changes placed in the three phases of a rolling revision
 * (SPEC §8), so that `check` accepts what autogenerate writes and both
 * releases keep working while it runs:
 *
 * - expand: new tables, columns (a NOT NULL one without a default is added
 *   nullable), relaxed columns, plain indexes, unique and foreign keys only
 *   on new columns, new views; a renamed column's new column and the triggers that
 *   keep it in step with the old one (`syncColumns`).
 * - migrate: the renamed column's copy (a batched backfill by the table's
 *   key; one UPDATE when the key is not a single column).
 * - contract: the triggers' removal first, then drops, renames of tables,
 *   tightened columns (type, NOT NULL, dropped default), CHECKs, views
 *   replaced in place, constraints on columns the old release already wrote.
 *
 * A renamed table keeps its old name until contract renames it: expand and
 * migrate address it by the old name. The downgrade is the plain inverse.
 */
import type { Dialect } from "../dialects/dialect.js";
import type { TableModel } from "../dialects/schema-model.js";
import type { AlterColumn, ColumnDef, Op } from "../ops/op.js";
import { fitIdentifier } from "../ops/naming.js";
import type { Change } from "./change.js";
import type { SchemaSpec } from "./schema-spec.js";
import { changeComments, opSteps, type ScriptBodies, type ScriptStep } from "./script-steps.js";

type Quote = (name: string) => string;

/** Words that cannot stand bare as a column name on at least one dialect. */
const RESERVED = new Set(
  (
    "add all alter and any as asc both by case check column constraint create cross current_date current_time current_timestamp " +
    "current_user default desc distinct drop else end false for foreign from full grant group having in index inner into is join " +
    "key leading left like limit natural not null offset on or order outer primary references right select session_user table then " +
    "to trailing true union unique user using values when where with"
  ).split(" "),
);

interface Phases {
  readonly expand: ScriptStep[];
  /** The sync triggers come last in expand: SQLite cannot rebuild a table that has triggers. */
  readonly expandLast: ScriptStep[];
  readonly migrate: ScriptStep[];
  readonly contractFirst: ScriptStep[];
  readonly contract: ScriptStep[];
}

export function rollingBodies(
  changes: readonly Change[],
  _declared: SchemaSpec,
  liveTables: readonly TableModel[],
  dialect?: Pick<Dialect, "compiler">,
): ScriptBodies {
  const quoted: Quote =
    dialect === undefined ? (name) => `"${name.replace(/"/g, '""')}"` : (name) => dialect.compiler.quoteIdentifier(name);
  // Plain lower-case names stay bare, so that the SQL in a script reads as written by hand.
  const quote: Quote = (name) => (/^[a-z_][a-z0-9_]*$/.test(name) && !RESERVED.has(name) ? name : quoted(name));
  const phases: Phases = { expand: [], expandLast: [], migrate: [], contractFirst: [], contract: [] };
  const oldNames = new Map<string, string>();
  for (const change of changes) {
    const op = change.up[0];
    if (op?.kind === "renameTable") oldNames.set(op.to, op.table);
  }
  const early = (name: string): string => oldNames.get(name) ?? name;
  const dropped = new Set(
    changes.flatMap((change) =>
      change.up.flatMap((op) =>
        op.kind === "dropIndex" || op.kind === "dropConstraint" ? [`${early(op.table)}\u0000${op.name}`] : [],
      ),
    ),
  );

  for (const change of changes) {
    const comments = changeComments(change);
    const first = change.up[0];
    if (first === undefined) continue;
    if (change.rename !== undefined && first.kind === "addColumn") {
      placeRename(phases, change, first.column, liveTables, early, quote, comments);
      continue;
    }
    switch (first.kind) {
      case "createTable":
      case "createView":
        // A view replaced in place changes what the old release reads: contract (the phase rules refuse it earlier).
        if (change.replacesView === true && first.kind === "createView") {
          phases.contract.push(...opSteps([{ ...first, orReplace: true }], comments));
        } else {
          phases.expand.push(...opSteps(change.up, comments));
        }
        break;
      case "dropView":
        if (change.viewReplaced !== true) phases.contract.push(...opSteps(change.up, comments));
        break;
      case "addColumn":
        placeAddColumn(phases, first.table, first.column, comments, early);
        break;
      case "alterColumn":
        placeAlterColumn(phases, first, comments);
        break;
      case "createIndex":
      case "addUnique":
      case "addCheck":
      case "addForeignKey": {
        const collides = "name" in first && dropped.has(`${early(first.table)}\u0000${first.name}`);
        const additive = first.kind === "createIndex" && first.unique !== true;
        // A CHECK may reject the old release's writes even on new columns (`c IS NOT NULL`): contract.
        const early_ = (additive || (change.onNewColumns === true && first.kind !== "addCheck")) && !collides;
        (early_ ? phases.expand : phases.contract).push(...opSteps(change.up, comments));
        break;
      }
      default:
        phases.contract.push(...opSteps(change.up, comments));
    }
  }
  const renameEarly = (steps: readonly ScriptStep[]): ScriptStep[] =>
    steps.map((step) => (step.kind === "op" ? { ...step, op: withOldNames(step.op, early) } : step));
  return {
    expand: renameEarly([...phases.expand, ...phases.expandLast]),
    migrate: renameEarly(phases.migrate),
    contract: [...renameEarly(phases.contractFirst), ...phases.contract],
    downgrade: [...changes].reverse().flatMap((change) => opSteps(change.down, [])),
  };
}

/** A NOT NULL column without a default would break the old release's inserts: nullable until contract. */
function needsLateNotNull(column: ColumnDef): boolean {
  return (
    column.nullable === false &&
    (column.default === undefined || column.default === null) &&
    column.autoIncrement !== true &&
    column.primaryKey !== true
  );
}

function relaxed(column: ColumnDef): ColumnDef {
  const { nullable: _nullable, ...rest } = column;
  return rest;
}

function placeAddColumn(
  phases: Phases,
  table: string,
  column: ColumnDef,
  comments: readonly string[],
  early: (name: string) => string,
): void {
  if (!needsLateNotNull(column)) {
    phases.expand.push(...opSteps([{ kind: "addColumn", table, column }], comments));
    return;
  }
  phases.expand.push(
    ...opSteps(
      [{ kind: "addColumn", table, column: relaxed(column) }],
      [...comments, `${column.name} is NOT NULL from contract on: until then the old release inserts rows without it`],
    ),
  );
  phases.migrate.push({
    kind: "comment",
    text: `TODO: fill ${early(table)}.${column.name} in the rows that exist (e.g. op.backfill) before contract makes it NOT NULL`,
  });
  phases.contract.push(...opSteps([{ kind: "alterColumn", table, column: column.name, nullable: false }], []));
}

function placeRename(
  phases: Phases,
  change: Change,
  column: ColumnDef,
  liveTables: readonly TableModel[],
  early: (name: string) => string,
  quote: Quote,
  comments: readonly string[],
): void {
  const { table, from, to } = change.rename!;
  const late = needsLateNotNull(column);
  const name = fitIdentifier(`${early(table)}_${from}_${to}`.replace(/[^A-Za-z0-9_]/g, "_"));
  phases.expand.push(
    ...opSteps(
      [{ kind: "addColumn", table, column: late ? relaxed(column) : column }],
      [
        ...comments,
        `the rename of ${table}.${from} to ${to}: a new column, kept in step with the old one by triggers while both releases run`,
      ],
    ),
  );
  phases.expandLast.push(
    ...opSteps(
      [
        {
          kind: "syncColumns",
          table,
          name,
          from: [from],
          to: [to],
          forward: { [to]: `NEW.${quote(from)}` },
          backward: { [from]: `NEW.${quote(to)}` },
        },
      ],
      [`keep ${table}.${from} and ${to} in step while both releases write`],
    ),
  );
  const live = liveTables.find((candidate) => candidate.name === early(table));
  const key = live?.primaryKey.length === 1 ? live.primaryKey[0] : undefined;
  if (key !== undefined) {
    phases.migrate.push({
      kind: "backfill",
      options: { table: early(table), set: { [to]: quote(from) }, key },
      comments: [`copy ${table}.${from} into ${to}`],
    });
  } else {
    phases.migrate.push(
      ...opSteps(
        [{ kind: "execute", sql: `UPDATE ${quote(early(table))} SET ${quote(to)} = ${quote(from)}` }],
        [`copy ${table}.${from} into ${to} (one UPDATE: the table has no single-column key to batch by)`],
      ),
    );
  }
  phases.contractFirst.push(...opSteps([{ kind: "dropSync", table, name }], []));
  if (late) phases.contract.push(...opSteps([{ kind: "alterColumn", table, column: to, nullable: false }], []));
}

/**
 * Relaxing (DROP NOT NULL, a new default) is additive; a type change, SET
 * NOT NULL or dropping a default is contractive. A new default beside a
 * type change is set in expand on the old type (PostgreSQL casts it along).
 */
function placeAlterColumn(phases: Phases, op: AlterColumn, comments: readonly string[]): void {
  const relax: { -readonly [K in keyof AlterColumn]?: AlterColumn[K] } = {
    kind: "alterColumn",
    table: op.table,
    column: op.column,
  };
  const tighten: { -readonly [K in keyof AlterColumn]?: AlterColumn[K] } = {
    kind: "alterColumn",
    table: op.table,
    column: op.column,
  };
  if (op.nullable === true) relax.nullable = true;
  if (op.nullable === false) tighten.nullable = false;
  if (op.type !== undefined) {
    tighten.type = op.type;
    if (op.using !== undefined) tighten.using = op.using;
  }
  // SET DEFAULT is additive (contract refuses it): a new default comes in expand, even beside a type change.
  if (op.default === null) tighten.default = null;
  else if (op.default !== undefined) relax.default = op.default;
  const parts = [relax, tighten].filter((part) => Object.keys(part).length > 3) as AlterColumn[];
  parts.forEach((part, i) =>
    (part === relax ? phases.expand : phases.contract).push(...opSteps([part], i === 0 ? comments : [])),
  );
}

/** Expand and migrate run before contract renames a table: they use its old name. */
function withOldNames(op: Op, early: (name: string) => string): Op {
  if (!("table" in op)) return op;
  const renamed = { ...op, table: early(op.table) } as Op;
  if (renamed.kind === "addForeignKey") return { ...renamed, refTable: early(renamed.refTable) };
  if (renamed.kind === "createTable") {
    return {
      ...renamed,
      columns: renamed.columns.map((column) =>
        column.references === undefined
          ? column
          : { ...column, references: { ...column.references, table: early(column.references.table) } },
      ),
      ...(renamed.foreignKeys === undefined
        ? {}
        : { foreignKeys: renamed.foreignKeys.map((fk) => ({ ...fk, refTable: early(fk.refTable) })) }),
    };
  }
  return renamed;
}
