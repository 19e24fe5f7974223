/**
 * What the three drivers share: lazy loading of optional driver packages,
 * and turning a driver's error into a DatabaseError that cannot carry the
 * password (not in the message, the stack, nor a cause that still holds a
 * reference to the client and its configuration).
 */
import { createRequire } from "node:module";
import type { DatabaseUrl } from "./dialect.js";
import { scrubPassword } from "../util/redact.js";
import { DatabaseError, DriverMissingError, messageOf } from "../errors.js";

/**
 * Imports an optional driver package. A missing package becomes a
 * DriverMissingError naming the install command; `specifier` is a parameter
 * so that the missing case can be tested.
 */
export async function importDriver<T>(specifier: string, packageName: string, purpose: string): Promise<T> {
  try {
    // The drivers are CommonJS: require() skips the ESM loader's start-up cost (~10 ms).
    const required: unknown = requireFromHere(specifier);
    return { default: required } as T;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw new DriverMissingError(
        `${purpose} needs the "${packageName}" package, which is not installed. Run: npm install ${packageName}`,
        { cause: error, fields: { package: packageName } },
      );
    }
    throw error;
  }
}

const requireFromHere = createRequire(import.meta.url);

/** Driver error fields worth keeping (SQLSTATE, errno, …); values only if primitive. */
const KEPT_FIELDS = [
  "code",
  "errno",
  "sqlState",
  "sqlMessage",
  "severity",
  "detail",
  "hint",
  "constraint",
  "table",
  "column",
  "routine",
];

/** A plain Error copy of a driver error, with every spelling of the password removed. */
export function sanitizeError(error: unknown, url: Pick<DatabaseUrl, "raw" | "password" | "redacted">): Error {
  const clean = new Error(scrubPassword(messageOf(error), url));
  if (error instanceof Error) {
    clean.name = error.name;
    clean.stack = error.stack === undefined ? undefined : scrubPassword(error.stack, url);
    const source = error as unknown as Record<string, unknown>;
    const target = clean as unknown as Record<string, unknown>;
    for (const key of KEPT_FIELDS) {
      const value = source[key];
      if (typeof value === "string") target[key] = scrubPassword(value, url);
      else if (typeof value === "number") target[key] = value;
    }
  }
  return clean;
}

/** Machine-readable fields of a driver error, for `--json`. */
export function errorFields(error: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof error !== "object" || error === null) return out;
  const source = error as Record<string, unknown>;
  for (const key of ["code", "errno", "sqlState"]) {
    const value = source[key];
    if (typeof value === "string" || typeof value === "number") out[key] = value;
  }
  return out;
}

/**
 * A query or command that failed on an open connection. The message is the
 * driver's own (sanitized); whoever runs the statement adds the revision.
 */
export function queryError(error: unknown, url: Pick<DatabaseUrl, "raw" | "password" | "redacted">, sql: string): DatabaseError {
  if (error instanceof DatabaseError) return error;
  const cause = sanitizeError(error, url);
  return new DatabaseError(cause.message, {
    cause,
    fields: { ...errorFields(cause), sql: scrubPassword(sql, url) },
  });
}

/** `host:port`, or the socket path, for messages. */
export function describeEndpoint(url: DatabaseUrl, defaultHost: string, defaultPort: number): string {
  if (url.socket !== undefined) return `socket ${url.socket}`;
  const host = url.host ?? defaultHost;
  const shown = host.includes(":") ? `[${host}]` : host;
  return `${shown}:${url.port ?? defaultPort}`;
}

/** JSON text for plain objects, so that every dialect stores them the same way. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC: sorts as text and is read by SQLite's date functions. */
export function utcTimestamp(date: Date): string {
  return date.toISOString().replace("T", " ").replace("Z", "");
}

/** Seconds of silence on a connection before the OS starts TCP keepalive probes (a peer that is gone, not one that is silent). */
export const KEEPALIVE_IDLE_MS = 15_000;

/**
 * A connection tidemark gave up on (the server went silent): once declared,
 * every statement raced against it fails with the reason at once — whether
 * or not the driver ever settles the statement of a socket it no longer reads.
 */
export class Silence {
  #reason: Error | undefined;
  readonly #waiting = new Set<(reason: Error) => void>();

  get reason(): Error | undefined {
    return this.#reason;
  }

  declare(reason: Error): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    for (const reject of this.#waiting) reject(reason);
    this.#waiting.clear();
  }

  /** `work`, or the reason as soon as silence is declared. */
  race<T>(work: Promise<T>): Promise<T> {
    const declared = this.#reason;
    if (declared !== undefined) {
      work.catch(() => undefined);
      return Promise.reject(declared);
    }
    return new Promise<T>((resolve, reject) => {
      this.#waiting.add(reject);
      work.then(
        (value) => {
          this.#waiting.delete(reject);
          resolve(value);
        },
        (error: unknown) => {
          this.#waiting.delete(reject);
          reject(this.#reason ?? error);
        },
      );
    });
  }
}

/**
 * Gives `work` at most `seconds` (forever when undefined); after that
 * `abandon` is called with an error saying the server or the network went
 * silent (it closes the connection and declares its Silence).
 */
export function answerWithin<T>(
  work: Promise<T>,
  seconds: number | undefined,
  abandon: (error: DatabaseError) => void,
  dialect: string,
): Promise<T> {
  if (seconds === undefined || !(seconds > 0)) return work;
  const timer = setTimeout(() => {
    abandon(
      new DatabaseError(
        `The ${dialect} server did not answer within ${seconds} s: the server or the network went silent, so tidemark ` +
          "closed the connection (the server ends its side of the session when it notices)",
        { fields: { answerTimeoutSeconds: seconds } },
      ),
    );
  }, seconds * 1000);
  // The socket keeps the process alive while the statement is pending; once it is closed, this timer must not.
  timer.unref();
  return work.finally(() => clearTimeout(timer));
}
