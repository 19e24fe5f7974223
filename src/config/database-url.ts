/**
 * Database URLs (SPEC §3) → `DatabaseUrl` (with its password masked in `redacted`).
 *
 * Hand-written rather than `new URL()`: users paste SQLAlchemy URLs
 * (`postgresql+psycopg2://`, `sqlite:////abs`), socket hosts written as
 * `%2Fvar%2Frun%2Fpostgresql`, and passwords with unencoded `@`, which the
 * WHATWG parser either rejects or splits differently from libpq. No error
 * thrown here ever quotes the URL itself: only its scheme, so that a
 * mistyped URL cannot put a password on screen.
 */
import { isAbsolute, resolve } from "node:path";
import { ConfigError } from "../errors.js";
import { MASK, maskByPattern } from "../util/redact.js";
import type { DatabaseUrl, DialectName } from "../vocabulary.js";

export const SUPPORTED_URL_FORMS: readonly string[] = [
  "sqlite:PATH",
  "sqlite:///relative/path",
  "sqlite:////absolute/path",
  "sqlite::memory:",
  "postgres://",
  "postgresql://",
  "postgresql+DRIVER://",
  "mysql://",
  "mysql+DRIVER://",
  "mariadb://",
];

/** Query parameters that fill a field of `DatabaseUrl` instead of `params`. */
const FIELD_PARAMS = new Set(["host", "port", "user", "password", "unix_socket", "socket"]);

export function parseDatabaseUrl(raw: string): DatabaseUrl {
  const text = raw.trim();
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text);
  if (!schemeMatch) {
    throw new ConfigError(`The database URL has no scheme. Supported forms: ${SUPPORTED_URL_FORMS.join(", ")}.`);
  }
  const scheme = schemeMatch[1]!.toLowerCase();
  const base = scheme.split("+")[0]!;
  const dialect = dialectOfScheme(base);
  if (dialect === undefined) {
    throw new ConfigError(`Unsupported database URL scheme "${scheme}:". Supported forms: ${SUPPORTED_URL_FORMS.join(", ")}.`);
  }
  const rest = text.slice(schemeMatch[0].length);
  if (dialect === "sqlite") return parseSqlite(raw, rest);
  return parseServer(raw, scheme, dialect, rest);
}

/**
 * A relative SQLite path made absolute against `baseDir` (the config's
 * folder), so that every subfolder of a project reaches the same file.
 */
export function anchorSqlitePath(url: DatabaseUrl, baseDir: string): DatabaseUrl {
  if (url.dialect !== "sqlite" || url.path === undefined || url.path === ":memory:" || isAbsolute(url.path)) return url;
  return { ...url, path: resolve(baseDir, url.path) };
}

/**
 * The URL with its password replaced by `***`. Never throws: a URL that does
 * not parse is masked by pattern so that it can still be shown.
 */
export function redactUrl(raw: string): string {
  try {
    return parseDatabaseUrl(raw).redacted;
  } catch {
    return maskByPattern(raw);
  }
}

function dialectOfScheme(base: string): DialectName | undefined {
  switch (base) {
    case "sqlite":
      return "sqlite";
    case "postgres":
    case "postgresql":
      return "postgres";
    case "mysql":
    case "mariadb":
      return "mysql";
    default:
      return undefined;
  }
}

function parseSqlite(raw: string, rest: string): DatabaseUrl {
  const queryAt = rest.indexOf("?");
  const body = queryAt === -1 ? rest : rest.slice(0, queryAt);
  const params = queryAt === -1 ? {} : parseQuery(rest.slice(queryAt + 1), "sqlite");
  let path: string;
  if (body === "" || body === "//" || body === ":memory:" || body === "///:memory:") {
    path = ":memory:";
  } else if (body.startsWith("//")) {
    const afterSlashes = body.slice(2);
    if (afterSlashes.startsWith("/")) {
      // SQLAlchemy: three slashes then the path, so `////abs` is `/abs`.
      path = afterSlashes.slice(1);
    } else {
      // `sqlite://file.db` (sqlx style): no host is possible, read it as a path.
      path = afterSlashes;
    }
  } else {
    path = body;
  }
  if (path === "") path = ":memory:";
  return { dialect: "sqlite", raw, redacted: raw, path, params };
}

interface Authority {
  readonly user?: string;
  readonly password?: string;
  readonly hostPort: string;
  /** Where the host (and port) end inside the text after `//`. */
  readonly end: number;
  /** Offsets of the password inside the text after the scheme, to redact it as typed. */
  readonly passwordSpan?: readonly [number, number];
}

function parseServer(raw: string, scheme: string, dialect: DialectName, rest: string): DatabaseUrl {
  const label = `${scheme}:`;
  if (!rest.startsWith("//")) {
    throw new ConfigError(`The ${label} database URL must start with "${label}//" followed by the host.`);
  }
  const afterSlashes = rest.slice(2);
  const authority = splitAuthority(afterSlashes, label);
  const tail = afterSlashes.slice(authority.end);
  const hashAt = tail.indexOf("#");
  const noFragment = hashAt === -1 ? tail : tail.slice(0, hashAt);
  const queryAt = noFragment.indexOf("?");
  const pathPart = queryAt === -1 ? noFragment : noFragment.slice(0, queryAt);
  const query = queryAt === -1 ? {} : parseQuery(noFragment.slice(queryAt + 1), label);

  const { host: hostText, port: portText } = splitHostPort(authority.hostPort, label);
  let host: string | undefined = hostText === "" ? undefined : decode(hostText, label, "host");
  let socket: string | undefined;
  if (host !== undefined && host.startsWith("/")) {
    socket = host;
    host = undefined;
  }
  let port = portText === undefined || portText === "" ? undefined : parsePort(portText, label);
  let user = authority.user;
  let password = authority.password;
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (/[@/:]/.test(key)) {
      // Only a password with an unencoded `?` puts these in a key; do not echo it.
      throw new ConfigError(
        `The ${label} database URL cannot be read: percent-encode special characters ` +
          "(such as ? @ / #) in the user name and password.",
      );
    }
    if (!FIELD_PARAMS.has(key)) params[key] = value;
    else if (key === "host") {
      if (value.startsWith("/")) socket = value;
      else host = value;
    } else if (key === "unix_socket" || key === "socket") socket = value;
    else if (key === "port") port = parsePort(value, label);
    else if (key === "user") user = value;
    else if (key === "password") password = value;
  }

  const dbText = pathPart.startsWith("/") ? pathPart.slice(1) : pathPart;
  const database = dbText === "" ? undefined : decode(dbText, label, "database name");

  const url: { -readonly [K in keyof DatabaseUrl]: DatabaseUrl[K] } = {
    dialect,
    raw,
    redacted: redactServer(raw, rest, authority),
    params,
  };
  if (host !== undefined) url.host = host;
  if (port !== undefined) url.port = port;
  if (socket !== undefined) url.socket = socket;
  if (user !== undefined && user !== "") url.user = user;
  if (password !== undefined) url.password = password;
  if (database !== undefined) url.database = database;
  return url;
}

/**
 * The user info ends at the last `@` before the query: that keeps an
 * unencoded `@` (or `/`, `#`) in a password inside the password. An
 * unencoded `?` in a password cannot be told from the query; it is refused
 * by the check on query keys.
 */
function splitAuthority(afterSlashes: string, label: string): Authority {
  const firstAt = afterSlashes.indexOf("@");
  const firstSlash = firstPathChar(afterSlashes);
  const hasUserInfo = firstAt !== -1 && (firstSlash === -1 || firstSlash > firstAt || looksLikeUserInfo(afterSlashes, firstAt));
  if (!hasUserInfo) {
    const end = firstSlash === -1 ? afterSlashes.length : firstSlash;
    return { hostPort: afterSlashes.slice(0, end), end };
  }
  const queryAt = afterSlashes.indexOf("?", firstAt);
  const at = afterSlashes.lastIndexOf("@", (queryAt === -1 ? afterSlashes.length : queryAt) - 1);
  const userInfo = afterSlashes.slice(0, at);
  const afterAt = afterSlashes.slice(at + 1);
  const hostEnd = firstPathChar(afterAt);
  const hostPort = afterAt.slice(0, hostEnd === -1 ? afterAt.length : hostEnd);
  const end = at + 1 + hostPort.length;
  const colon = userInfo.indexOf(":");
  if (colon === -1) return { user: decode(userInfo, label, "user name"), hostPort, end };
  return {
    user: decode(userInfo.slice(0, colon), label, "user name"),
    password: decode(userInfo.slice(colon + 1), label, "password"),
    hostPort,
    end,
    passwordSpan: [2 + colon + 1, 2 + at],
  };
}

/** An `@` after a `/` still ends the user info when the text before it has `user:` shape. */
function looksLikeUserInfo(text: string, at: number): boolean {
  return /^[^/?#@:]*:/.test(text.slice(0, at));
}

function firstPathChar(text: string): number {
  const match = /[/?#]/.exec(text);
  return match ? match.index : -1;
}

function splitHostPort(hostPort: string, label: string): { host: string; port?: string } {
  if (hostPort.startsWith("[")) {
    const close = hostPort.indexOf("]");
    if (close === -1) throw new ConfigError(`The ${label} database URL has an unclosed "[" in its host.`);
    const host = hostPort.slice(1, close);
    const after = hostPort.slice(close + 1);
    if (after === "") return { host };
    if (!after.startsWith(":")) throw new ConfigError(`The ${label} database URL has text after its IPv6 host.`);
    return { host, port: after.slice(1) };
  }
  if (hostPort.includes(",")) {
    throw new ConfigError(`The ${label} database URL lists several hosts; tidemark connects to one host.`);
  }
  const colon = hostPort.lastIndexOf(":");
  if (colon === -1) return { host: hostPort };
  return { host: hostPort.slice(0, colon), port: hostPort.slice(colon + 1) };
}

function parsePort(text: string, label: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    // The text is not quoted: a misplaced `:` can put a password fragment here.
    throw new ConfigError(
      `The ${label} database URL has an invalid port (expected 1-65535). ` +
        "Percent-encode special characters in the user name and password.",
    );
  }
  return port;
}

function parseQuery(query: string, label: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of query.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const key = decode((eq === -1 ? pair : pair.slice(0, eq)).replace(/\+/g, " "), label, "query parameter");
    const value = eq === -1 ? "" : decode(pair.slice(eq + 1).replace(/\+/g, " "), label, `query parameter "${key}"`);
    out[key] = value;
  }
  return out;
}

function decode(text: string, label: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ConfigError(`The ${label} database URL has a malformed percent-escape in its ${what}.`);
  }
}

function redactServer(raw: string, rest: string, authority: Authority): string {
  let out = raw;
  if (authority.passwordSpan) {
    const offset = raw.indexOf(rest);
    const [from, to] = authority.passwordSpan;
    out = raw.slice(0, offset + from) + MASK + raw.slice(offset + to);
  }
  return out.replace(/([?&]password=)[^&#]*/gi, `$1${MASK}`);
}
