/**
 * What the lint needs to know about one statement or op: the lock-relevant
 * things it does, in the same words for every dialect and for ops and SQL
 * alike. The readers (facts-postgres.ts, facts-tokens.ts, facts-ops.ts)
 * produce them; lint-body.ts judges them.
 */

interface OnTable {
  /** Unqualified, as the database folds it (compared case-insensitively). */
  readonly table: string;
}

export type LockFact =
  | ({ readonly kind: "create-table" } & OnTable)
  | ({ readonly kind: "drop-table" } & OnTable)
  | ({ readonly kind: "rename-table"; readonly to: string } & OnTable)
  | ({
      readonly kind: "create-index";
      readonly unique: boolean;
      readonly columns: readonly string[];
      /** PostgreSQL CONCURRENTLY; MySQL ALGORITHM=INPLACE|INSTANT|NOCOPY with LOCK=NONE. */
      readonly online: boolean;
      readonly name?: string;
    } & OnTable)
  /** ADD CONSTRAINT … UNIQUE / PRIMARY KEY / EXCLUDE that builds its own index (PostgreSQL). */
  | ({
      readonly kind: "constraint-index";
      readonly what: string;
      readonly unique: boolean;
      readonly columns: readonly string[];
    } & OnTable)
  | { readonly kind: "drop-index"; readonly name: string; readonly online: boolean }
  | { readonly kind: "reindex"; readonly target: string; readonly online: boolean }
  | ({ readonly kind: "refresh-view"; readonly online: boolean } & OnTable)
  | ({ readonly kind: "add-column"; readonly column: string; readonly volatile?: string } & OnTable)
  | ({ readonly kind: "change-type"; readonly column: string; readonly what: string } & OnTable)
  | ({ readonly kind: "set-not-null"; readonly column: string } & OnTable)
  | ({
      readonly kind: "add-constraint";
      readonly what: "FOREIGN KEY" | "CHECK";
      readonly name?: string;
      readonly notValid: boolean;
      /** For a CHECK (col IS NOT NULL): the column, so a later SET NOT NULL can use it. */
      readonly notNullColumn?: string;
    } & OnTable)
  | ({ readonly kind: "validate-constraint"; readonly name: string } & OnTable)
  | { readonly kind: "lock-table"; readonly tables: readonly string[] }
  | { readonly kind: "cluster"; readonly table?: string }
  | ({ readonly kind: "set-logged"; readonly logged: boolean } & OnTable)
  | { readonly kind: "vacuum-full"; readonly table?: string }
  | { readonly kind: "terminate-backend"; readonly what: string }
  | ({ readonly kind: "copy-alter"; readonly why: string } & OnTable)
  | ({ readonly kind: "table-rebuild"; readonly why: string } & OnTable);

export type LockFactKind = LockFact["kind"];

export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Ends sessions of the running releases; also found inside function bodies and DO blocks. */
export const TERMINATE_PATTERN = /\b(pg_terminate_backend|pg_cancel_backend)\s*\(/i;
