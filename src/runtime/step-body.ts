/**
 * What a step runs: a script function that receives `op`, or a list of SQL
 * statements from a `.sql` script, or nothing (a missing phase is a no-op).
 */
export interface SqlStatementBody {
  readonly sql: string;
  readonly line: number;
  readonly unsafe?: string;
}

export type StepBody =
  | { readonly kind: "function"; readonly file: string; readonly run: (op: unknown) => unknown }
  | { readonly kind: "sql"; readonly file: string; readonly statements: readonly SqlStatementBody[] }
  | { readonly kind: "none"; readonly file?: string };
