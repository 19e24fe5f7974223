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
