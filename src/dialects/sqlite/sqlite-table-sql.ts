/**
 * Reads what SQLite's PRAGMAs do not report from the stored CREATE
 * statements in sqlite_master: constraint names, CHECK expressions, the
 * AUTOINCREMENT keyword, index expressions and predicates, a view's SELECT.
 * A tokenizer, not a parser: it only needs parentheses, commas and keywords
 * at the top level of each definition, read by the shared SQL lexer.
 */
import { tokenize, type Token } from "../../sql/tokens.js";

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
  /** Lower-cased column name → its declared COLLATE, as written. */
  readonly collations: ReadonlyMap<string, string>;
  readonly checks: readonly ParsedCheck[];
  readonly uniques: readonly ParsedConstraint[];
  readonly foreignKeys: readonly ParsedForeignKey[];
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
  const tokens = tokenize(sql, "sqlite");
  const autoIncrement = new Set<string>();
  const collations = new Map<string, string>();
  const checks: ParsedCheck[] = [];
  const uniques: ParsedConstraint[] = [];
  const foreignKeys: ParsedForeignKey[] = [];
  const open = firstParen(tokens);
  if (open === -1) return { autoIncrement, collations, checks, uniques, foreignKeys };
  const close = matching(tokens, open);
  for (const def of splitTopLevel(tokens, open + 1, close)) {
    const head = def[0];
    if (head === undefined) continue;
    const isTableConstraint =
      ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"].includes(head.upper) && head.kind === "word";
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
      } else if (t.upper === "COLLATE" && column !== undefined && def[k + 1] !== undefined) {
        collations.set(column.toLowerCase(), def[k + 1]!.value);
        k += 1;
        name = undefined;
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
  return { autoIncrement, collations, checks, uniques, foreignKeys };
}

/** CREATE INDEX … ON t (items) [WHERE predicate] → the item texts and the predicate. */
export function parseCreateIndex(sql: string): { items: string[]; where: string | undefined } {
  const tokens = tokenize(sql, "sqlite");
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
  const tokens = tokenize(sql, "sqlite");
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === "punct" && t.text === "(") depth += 1;
    else if (t.kind === "punct" && t.text === ")") depth -= 1;
    else if (depth === 0 && t.kind === "word" && t.upper === "AS") return sql.slice(t.end).trim().replace(/;\s*$/, "");
  }
  return sql;
}
