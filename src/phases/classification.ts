/**
 * The words of classification shared by the op table (category.ts) and
 * the SQL classifiers: categories, classified changes, trigger effects.
 */

/**
 * - `additive`: adds schema the old release ignores (expand).
 * - `constraint`: tightens what rows may hold without removing anything
 *   (unique, check, foreign key): expand for new columns, contract after
 *   the data was migrated.
 * - `data`: inserts, updates or deletes rows (migrate).
 * - `contractive`: removes or changes schema the old release uses: drops,
 *   renames, type changes, SET NOT NULL (contract).
 * - `breaking`: breaks whichever release runs at the time, in any phase
 *   (a NOT NULL column without a default).
 * - `neutral`: reads, session settings, maintenance: allowed everywhere.
 * - `unknown`: the classifier cannot tell.
 */
export type Category = "additive" | "constraint" | "data" | "contractive" | "breaking" | "neutral" | "unknown";

export const CATEGORIES: readonly Category[] = [
  "additive",
  "constraint",
  "data",
  "contractive",
  "breaking",
  "neutral",
  "unknown",
];

export interface TriggerRef {
  /** Unqualified name, as written (PostgreSQL: as folded by the parser). */
  readonly name: string;
  /** Unqualified table name, when known. */
  readonly table?: string;
}

/** Triggers a statement creates or removes, for the contract-drops-every-trigger rule. */
export interface TriggerEffects {
  readonly created?: readonly TriggerRef[];
  readonly dropped?: readonly TriggerRef[];
  /** Dropping a table drops its triggers too. */
  readonly droppedTables?: readonly string[];
}

/** One classified change: a statement, a sub-clause of an ALTER TABLE, or an op. */
export interface Classified {
  readonly category: Category;
  /** Short description, e.g. `ALTER TABLE users DROP COLUMN email`. */
  readonly what: string;
  /** The statement (or op call) it came from. */
  readonly statement: string;
  /** Why it harms the old release, for refusal messages (`removes a column the old release still reads`). */
  readonly effect?: string;
  readonly triggers?: TriggerEffects;
}

/** A classified change before the statement text is attached. */
export type Change = Omit<Classified, "statement">;

export const NOT_NULL_WITHOUT_DEFAULT =
  "makes every INSERT of the old release fail, because the old release does not fill the new column; " +
  "add it nullable (or with a default) in expand, fill it in migrate and set NOT NULL in contract";

/**
 * Why a CHECK added to an existing table waits for contract: the old
 * release does not know it and keeps writing rows it rejects (NOT VALID
 * only skips the rows already there; new writes are checked all the same).
 */
export const CHECK_EFFECT =
  "adds a CHECK that rejects the old release's inserts and updates that break it (NOT VALID only skips existing rows); " +
  "add it in contract, once only the new release writes";

/**
 * ADD COLUMN, `what` being `… ADD COLUMN name`, from what each classifier
 * read of the column: a CHECK waits for contract; NOT NULL with nothing
 * that fills it breaks the old release's inserts; anything else is additive.
 */
export function addColumnChange(what: string, column: { check: boolean; notNull: boolean; filled: boolean }): Change {
  if (column.check) return { category: "contractive", what: `${what} … CHECK`, effect: CHECK_EFFECT };
  if (column.notNull && !column.filled) {
    return { category: "breaking", what: `${what} NOT NULL without a default`, effect: NOT_NULL_WITHOUT_DEFAULT };
  }
  return { category: "additive", what };
}

/** Why a script may not open, commit or roll back the step's transaction itself. */
export const TRANSACTION_EFFECT =
  "opens, commits or rolls back the step's transaction itself, so the step and its version rows no longer " +
  "commit (or roll back) together; tidemark runs each step in its own transaction (`transactional = false` for none)";

/** The dialects whose SQL is classified by the token classifier (PostgreSQL has its parser). */
export type TokenDialect = "mysql" | "sqlite";
