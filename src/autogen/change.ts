/**
 * The result of a comparison: changes, each a few ops with their inverse,
 * in an order that works on every dialect (Alembic's lesson: drops of
 * dependents before what they depend on, creates after), and warnings for
 * what tidemark noticed but will not guess (unhinted renames, primary key
 * changes).
 */
import type { Op } from "../ops/op.js";

/** Where a change runs in the upgrade; lower first. The downgrade runs the inverses in reverse. */
export const STAGE = {
  // Views go before anything they read is renamed: SQLite and MySQL refuse (or break) a rename under a view.
  dropView: 0,
  renameTable: 1,
  // Renames come before the drops: what a drop's inverse re-creates is described with the new names
  // (the live side is compared after the renames), and the downgrade runs it before renaming back.
  renameColumn: 2,
  dropForeignKey: 3,
  dropIndex: 4,
  createTable: 5,
  addColumn: 6,
  alterColumn: 7,
  addIndex: 8,
  addForeignKey: 9,
  dropColumn: 10,
  dropTable: 11,
  createView: 12,
} as const;

export type Stage = (typeof STAGE)[keyof typeof STAGE];

export interface ColumnRename {
  readonly table: string;
  readonly from: string;
  readonly to: string;
}

export interface Change {
  readonly stage: Stage;
  readonly up: readonly Op[];
  /** Undoes `up` (run in order), on the database `up` left. */
  readonly down: readonly Op[];
  /** The data this change destroys, in words ("the data in column users.nickname (text)"). */
  readonly destroys?: string;
  /** Comments written above the change in a script. */
  readonly notes?: readonly string[];
  /** An index or constraint only on columns or tables this same comparison adds (rolling: expand, not contract). */
  readonly onNewColumns?: boolean;
  readonly rename?: ColumnRename;
  /** A createView that replaces a changed view (its drop is a separate change, which rolling merges away). */
  readonly replacesView?: boolean;
  /** The drop of a view that is re-created with new SQL. */
  readonly viewReplaced?: boolean;
}

export interface Warning {
  readonly message: string;
  /** The database differs from the schema in a way no op of this comparison fixes (diff still reports it). */
  readonly drift: boolean;
}

export interface Comparison {
  readonly changes: readonly Change[];
  readonly warnings: readonly Warning[];
}

export function sortChanges(changes: readonly Change[]): Change[] {
  // Array.prototype.sort is stable: the order inside a stage is kept.
  return [...changes].sort((a, b) => a.stage - b.stage);
}

/** The upgrade's ops in order. */
export function upgradeOps(changes: readonly Change[]): Op[] {
  return changes.flatMap((change) => change.up);
}

/** The downgrade's ops: every change's inverse, last change first. */
export function downgradeOps(changes: readonly Change[]): Op[] {
  return [...changes].reverse().flatMap((change) => change.down);
}
