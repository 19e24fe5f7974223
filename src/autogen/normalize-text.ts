/**
 * Canonical text of SQL fragments (defaults, CHECK expressions, partial
 * index predicates, view bodies) for comparison only — never for running.
 * Databases hand back what they were given in their own spelling: PostgreSQL
 * adds casts (`'x'::text`) and parentheses, MySQL quotes every identifier,
 * lower-cases keywords and qualifies columns, SQLite keeps the text. Equal
 * meaning must give equal text, so the canonical form drops what those
 * rewrites add: identifier quotes, parentheses, whitespace, PostgreSQL
 * casts, MySQL charset introducers, case outside string literals.
 *
 * Dropping every parenthesis can make `(a + b) * c` equal `a + (b * c)`;
 * a false "equal" costs one missed change in a rare expression, whereas a
 * false "different" would make a diff that never converges — the worse
 * failure for a drift check.
 */

interface Segment {
  readonly literal: boolean;
  readonly text: string;
}

/** Splits SQL into string literals (quotes included, escapes made standard) and code. */
export function segments(sql: string, backslashEscapes: boolean): Segment[] {
  const out: Segment[] = [];
  let code = "";
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch !== "'") {
      code += ch;
      i += 1;
      continue;
    }
    // PostgreSQL E'…' strings take backslash escapes whatever the setting.
    const eString = /(?:^|[^\w$])[eE]$/.test(code);
    if (eString) code = code.slice(0, -1);
    const escapes = backslashEscapes || eString;
    let content = "";
    i += 1;
    while (i < sql.length) {
      const c = sql[i]!;
      if (escapes && c === "\\" && i + 1 < sql.length) {
        content += unescapeChar(sql[i + 1]!);
        i += 2;
      } else if (c === "'" && sql[i + 1] === "'") {
        content += "'";
        i += 2;
      } else if (c === "'") {
        i += 1;
        break;
      } else {
        content += c;
        i += 1;
      }
    }
    if (code !== "") out.push({ literal: false, text: code });
    code = "";
    out.push({ literal: true, text: `'${content.replace(/'/g, "''")}'` });
  }
  if (code !== "") out.push({ literal: false, text: code });
  return out;
}

function unescapeChar(ch: string): string {
  switch (ch) {
    case "n":
      return "\n";
    case "t":
      return "\t";
    case "r":
      return "\r";
    case "0":
      return "\0";
    default:
      return ch;
  }
}

/** `::text`, `::character varying(255)`, `::timestamp without time zone`, `::integer[]`. */
const CAST = new RegExp(
  String.raw`::\s*(?:character\s+varying|double\s+precision|bit\s+varying|time(?:stamp)?(?:\s*\(\s*\d+\s*\))?\s+with(?:out)?\s+time\s+zone|"?[a-z_][a-z0-9_.]*"?)` +
    String.raw`(?:\s*\(\s*\d+(?:\s*,\s*\d+)*\s*\))?(?:\s*\[\s*\])*`,
  "gi",
);
/** MySQL charset introducers before a string: `_utf8mb4'x'`. */
const INTRODUCER = /_(?:utf8mb4|utf8mb3|utf8|latin1|binary|ascii)\s*$/i;

export interface CanonicalOptions {
  /** MySQL strings take backslash escapes. */
  readonly backslashEscapes?: boolean;
  /** Views: drop `table.` qualifiers and `col AS col` aliases. */
  readonly unqualify?: boolean;
}

/** The canonical text of an expression: equal meaning (modulo the rewrites above) gives equal text. */
export function canonicalSql(sql: string, options: CanonicalOptions = {}): string {
  const parts = segments(sql.trim().replace(/;\s*$/, ""), options.backslashEscapes === true);
  let out = "";
  for (let k = 0; k < parts.length; k += 1) {
    const part = parts[k]!;
    if (part.literal) {
      // PostgreSQL prints a negative number in a CHECK as '-100'::integer: a cast literal that is a number is that number.
      const number = /^\s*::/.test(parts[k + 1]?.text ?? "") ? canonicalNumber(literalContent(part.text) ?? "") : undefined;
      out += number ?? part.text;
      continue;
    }
    let text = part.text.replace(CAST, " ").replace(/["`]/g, "").toLowerCase();
    if (parts[k + 1]?.literal === true) text = text.replace(INTRODUCER, "");
    if (options.unqualify === true) {
      text = text.replace(/\b[a-z_][a-z0-9_$]*\s*\.\s*(?=[a-z_*])/g, "").replace(/\b([a-z_][a-z0-9_$]*)\s+as\s+\1\b/g, "$1");
    }
    out += text.replace(/!=/g, "<>").replace(/[\s()]+/g, "");
  }
  return out;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** A canonical number (`1.50` → `1.5`, `+3` → `3`), or undefined when the text is not one. */
export function canonicalNumber(text: string): string | undefined {
  if (!NUMBER.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? String(value) : undefined;
}

/** The content of a canonical string literal `'…'`, or undefined. */
export function literalContent(text: string): string | undefined {
  if (!/^'(?:[^']|'')*'$/.test(text)) return undefined;
  return text.slice(1, -1).replace(/''/g, "'");
}

const NOW = /^(?:current_timestamp|now|localtimestamp|transaction_timestamp|statement_timestamp)\d*$/;

export type DefaultKind = "numeric" | "temporal" | "other";

/** A canonical default: `'-5'::integer`, `-5` and `(-5)` agree; every spelling of "now" is one. */
export function canonicalDefault(sql: string, kind: DefaultKind, options: CanonicalOptions = {}): string | null {
  const text = canonicalSql(sql, options);
  if (text === "" || text === "null") return null;
  if (NOW.test(text)) return "current_timestamp";
  const content = literalContent(text);
  if (kind === "numeric") {
    const number = canonicalNumber(content ?? text);
    if (number !== undefined) return number;
  }
  if (kind === "temporal" && content !== undefined) {
    // MySQL reports '2020-01-01 00:00:00.000000' for what was written without fractions.
    return `'${content.replace(/\.0+$/, "").replace(/'/g, "''")}'`;
  }
  return canonicalNumber(text) ?? text;
}
