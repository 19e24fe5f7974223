/**
 * Reads what SQLite's PRAGMAs do not report from the stored CREATE
 * statements in sqlite_master: constraint names, CHECK expressions, the
 * AUTOINCREMENT keyword, index expressions and predicates, a view's SELECT.
 * A tokenizer, not a parser: it only needs parentheses, commas and keywords
 * at the top level of each definition.
 */

export interface Token {
  readonly kind: "word" | "quoted" | "string" | "number" | "punct";
  /** The text as written. */
  readonly text: string;
  /** Identifiers unquoted; keywords upper-cased for comparison in `upper`. */
  readonly value: string;
  readonly upper: string;
  readonly start: number;
  readonly end: number;
}

export interface ParsedCheck {
  readonly name: string | undefined;
  readonly expression: string;
  readonly column: string | undefined;
}

export interface ParsedConstraint {
  readonly name: string | undefined;
  readonly columns: readonly string[];
}

export interface ParsedForeignKey extends ParsedConstraint {
  readonly refTable: string;
}

export interface ParsedTable {
  /** Lower-cased names of columns declared with AUTOINCREMENT. */
  readonly autoIncrement: ReadonlySet<string>;
  readonly checks: readonly ParsedCheck[];
  readonly uniques: readonly ParsedConstraint[];
  readonly foreignKeys: readonly ParsedForeignKey[];
}

// Character classes by code: introspecting a thousand tables tokenizes every CREATE statement.
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || (c >= 0x80 && /\s/.test(String.fromCharCode(c)));
}

function isWordStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 0x80;
}

function isWordChar(c: number): boolean {
  return isWordStart(c) || (c >= 48 && c <= 57) || c === 36;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** [0-9A-Za-z_.]: what may follow the start of a number (1.5e3, 0x1F). */
function isNumberChar(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46;
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: Token["kind"], start: number, end: number, value: string): void => {
    const text = sql.slice(start, end);
    tokens.push({ kind, text, value, upper: kind === "word" ? text.toUpperCase() : value, start, end });
  };
  while (i < sql.length) {
    const ch = sql[i]!;
    const code = sql.charCodeAt(i);
    if (isSpace(code)) {
      i += 1;
    } else if (ch === "-" && sql[i + 1] === "-") {
      const nl = sql.indexOf("\n", i);
      i = nl === -1 ? sql.length : nl + 1;
    } else if (ch === "/" && sql[i + 1] === "*") {
      const close = sql.indexOf("*/", i + 2);
      i = close === -1 ? sql.length : close + 2;
    } else if (ch === "'" || ch === '"' || ch === "`") {
      const end = closeQuote(sql, i, ch);
      const inner = sql.slice(i + 1, end - 1).split(ch + ch).join(ch);
      push(ch === "'" ? "string" : "quoted", i, end, inner);
      i = end;
    } else if (ch === "[") {
      const close = sql.indexOf("]", i);
      const end = close === -1 ? sql.length : close + 1;
      push("quoted", i, end, sql.slice(i + 1, end - 1));
      i = end;
    } else if (isWordStart(code)) {
      let end = i + 1;
      while (end < sql.length && isWordChar(sql.charCodeAt(end))) end += 1;
      push("word", i, end, sql.slice(i, end));
      i = end;
    } else if (isDigit(code) || (ch === "." && isDigit(sql.charCodeAt(i + 1)))) {
      let end = i + 1;
      while (end < sql.length && isNumberChar(sql.charCodeAt(end))) end += 1;
      push("number", i, end, sql.slice(i, end));
      i = end;
    } else {
      push("punct", i, i + 1, ch);
      i += 1;
    }
  }
  return tokens;
}

function closeQuote(sql: string, at: number, quote: string): number {
  let i = at + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i += 1;
  }
  return sql.length;
}

/** The index of the `)` matching the `(` at `open`. */
function matching(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k += 1) {
    const t = tokens[k]!;
    if (t.kind !== "punct") continue;
    if (t.text === "(") depth += 1;
    else if (t.text === ")") {
      depth -= 1;
      if (depth === 0) return k;
    }
  }
  return tokens.length - 1;
}

/** Splits `tokens[from..to)` at top-level commas. */
function splitTopLevel(tokens: readonly Token[], from: number, to: number): Token[][] {
  const parts: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  for (let k = from; k < to; k += 1) {
    const t = tokens[k]!;
    if (t.kind === "punct" && t.text === "(") depth += 1;
    if (t.kind === "punct" && t.text === ")") depth -= 1;
    if (depth === 0 && t.kind === "punct" && t.text === ",") {
      parts.push(current);
      current = [];
    } else current.push(t);
  }
  if (current.length > 0) parts.push(current);
  return parts;
}

function firstParen(tokens: readonly Token[], from = 0): number {
  for (let k = from; k < tokens.length; k += 1) if (tokens[k]!.kind === "punct" && tokens[k]!.text === "(") return k;
  return -1;
}

/** `(a, "b")` starting at `open` → names; the source text of each item for expressions. */
function nameList(sql: string, tokens: readonly Token[], open: number): { names: string[]; close: number } {
  const close = matching(tokens, open);
  const names = splitTopLevel(tokens, open + 1, close).map((item) => itemText(sql, item));
  return { names, close };
}

/** A single identifier (optionally followed by COLLATE/ASC/DESC) as its name; anything else as text. */
function itemText(sql: string, item: readonly Token[]): string {
  const head = item[0];
  if (head === undefined) return "";
  const rest = item.slice(1).filter((t) => !["ASC", "DESC"].includes(t.upper));
  const collate = rest.length === 2 && rest[0]!.upper === "COLLATE";
  if ((head.kind === "word" || head.kind === "quoted" || head.kind === "string") && (rest.length === 0 || collate)) {
    return head.value;
  }
  return sql.slice(head.start, item[item.length - 1]!.end);
}

export function parseCreateTable(sql: string): ParsedTable {
  const tokens = tokenize(sql);
  const autoIncrement = new Set<string>();
  const checks: ParsedCheck[] = [];
  const uniques: ParsedConstraint[] = [];
  const foreignKeys: ParsedForeignKey[] = [];
  const open = firstParen(tokens);
  if (open === -1) return { autoIncrement, checks, uniques, foreignKeys };
  const close = matching(tokens, open);
  for (const def of splitTopLevel(tokens, open + 1, close)) {
    const head = def[0];
    if (head === undefined) continue;
    const isTableConstraint = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"].includes(head.upper) && head.kind === "word";
    const column = isTableConstraint ? undefined : head.value;
    let name: string | undefined;
    for (let k = isTableConstraint ? 0 : 1; k < def.length; k += 1) {
      const t = def[k]!;
      if (t.kind === "punct" && t.text === "(") {
        // A type's size, a DEFAULT expression, a key's column list: nothing to name.
        k = matching(def, k);
        continue;
      }
      if (t.kind !== "word") continue;
      if (t.upper === "CONSTRAINT") {
        name = def[k + 1]?.value;
        k += 1;
      } else if (t.upper === "AUTOINCREMENT" && column !== undefined) {
        autoIncrement.add(column.toLowerCase());
      } else if (t.upper === "CHECK" && def[k + 1]?.text === "(") {
        const start = def[k + 1]!;
        const end = def[matching(def, k + 1)]!;
        checks.push({ name, expression: sql.slice(start.end, end.start).trim(), column });
        k = matching(def, k + 1);
        name = undefined;
      } else if (t.upper === "UNIQUE") {
        if (column !== undefined) uniques.push({ name, columns: [column] });
        else if (def[k + 1]?.text === "(") {
          const list = nameList(sql, def, k + 1);
          uniques.push({ name, columns: list.names });
          k = list.close;
        }
        name = undefined;
      } else if (t.upper === "FOREIGN" && def[k + 1]?.upper === "KEY" && def[k + 2]?.text === "(") {
        const list = nameList(sql, def, k + 2);
        const ref = def[list.close + 2];
        if (def[list.close + 1]?.upper === "REFERENCES" && ref) {
          foreignKeys.push({ name, columns: list.names, refTable: ref.value });
        }
        k = list.close + 2;
        name = undefined;
      } else if (t.upper === "REFERENCES" && column !== undefined && def[k + 1]) {
        foreignKeys.push({ name, columns: [column], refTable: def[k + 1]!.value });
        k += 1;
        name = undefined;
      } else if (["PRIMARY", "NOT", "NULL", "DEFAULT", "COLLATE", "GENERATED", "AS"].includes(t.upper)) {
        // Constraints whose names PRAGMAs already make irrelevant.
        if (t.upper !== "NOT" && t.upper !== "AS") name = undefined;
      }
    }
  }
  return { autoIncrement, checks, uniques, foreignKeys };
}

/** CREATE INDEX … ON t (items) [WHERE predicate] → the item texts and the predicate. */
export function parseCreateIndex(sql: string): { items: string[]; where: string | undefined } {
  const tokens = tokenize(sql);
  const onAt = tokens.findIndex((t) => t.kind === "word" && t.upper === "ON");
  const open = firstParen(tokens, onAt === -1 ? 0 : onAt);
  if (open === -1) return { items: [], where: undefined };
  const list = nameList(sql, tokens, open);
  const whereToken = tokens.slice(list.close + 1).find((t) => t.kind === "word" && t.upper === "WHERE");
  const where = whereToken ? sql.slice(whereToken.end).trim().replace(/;\s*$/, "") : undefined;
  return { items: list.names, where };
}

/** CREATE VIEW name [(cols)] AS select → the select. */
export function viewSelect(sql: string): string {
  const tokens = tokenize(sql);
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === "punct" && t.text === "(") depth += 1;
    else if (t.kind === "punct" && t.text === ")") depth -= 1;
    else if (depth === 0 && t.kind === "word" && t.upper === "AS") return sql.slice(t.end).trim().replace(/;\s*$/, "");
  }
  return sql;
}
