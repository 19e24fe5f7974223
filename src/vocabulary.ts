/**
 * The few words every layer shares: which database, a row, a parsed URL.
 * The ground floor: this file imports nothing, so any layer may import it.
 */

export type DialectName = "sqlite" | "postgres" | "mysql";

export type Row = Record<string, unknown>;

/** A parsed database URL. `password` is never printed: use `redacted`. */
export interface DatabaseUrl {
  readonly dialect: DialectName;
  /** The URL as given. Contains the password: never print it. */
  readonly raw: string;
  /** The URL with the password replaced by `***`. */
  readonly redacted: string;
  /** SQLite: file path, or `:memory:`. */
  readonly path?: string;
  readonly host?: string;
  readonly port?: number;
  /** Unix socket directory or file (`?host=/var/run/postgresql`, `?unix_socket=…`). */
  readonly socket?: string;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  /** Query parameters other than the ones above (sslmode, charset, …). */
  readonly params: Readonly<Record<string, string>>;
}

/**
 * The lock and rewrite lint's rules, id → name (src/lint/rules.ts says what
 * each finds and the safe sequence). Here because the config names them too
 * and the config layer reads nothing above this floor.
 */
export const LINT_RULE_NAMES = {
  TM101: "index-not-concurrent",
  TM102: "index-not-online",
  TM103: "index-blocks-writes",
  TM104: "constraint-builds-index",
  TM105: "unique-on-old-column",
  TM106: "drop-index-not-concurrent",
  TM107: "reindex-not-concurrent",
  TM108: "refresh-not-concurrent",
  TM201: "volatile-default",
  TM202: "type-change-rewrite",
  TM203: "set-not-null-unchecked",
  TM301: "constraint-not-valid",
  TM401: "lock-table",
  TM402: "cluster",
  TM403: "set-logged",
  TM404: "vacuum-full",
  TM405: "terminate-backend",
  TM501: "mysql-copy-alter",
  TM502: "sqlite-table-rebuild",
} as const;

export type LintRuleId = keyof typeof LINT_RULE_NAMES;
/** `off` silences a rule. */
export type LintSeverity = "error" | "warning" | "off";
/** The body a finding is in: a rolling phase, or a plain repository's `upgrade`. */
export type LintPhase = "expand" | "migrate" | "contract" | "upgrade";
/** A rule's severity everywhere, or per body; a body left out keeps the rule's default there. */
export type LintSeveritySetting = LintSeverity | Readonly<Partial<Record<LintPhase, LintSeverity>>>;
