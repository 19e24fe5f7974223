import { shortenSql } from "../util/shorten-sql.js";
/**
 * Raw SQL (`op.execute`, `.sql` scripts) as the schema tracker reads it.
 * Raw SQL is not parsed into shapes: a table created by `op.execute` or a
 * `.sql` script is unknown, and one that raw SQL altered (ALTER TABLE,
 * CREATE INDEX … ON it) becomes unknown, because a rebuild from a stale
 * model would silently lose what the raw SQL added. Raw DROP TABLE, DROP
 * INDEX and MySQL's RENAME TABLE are understood exactly. The recognizer is
 * apart from the tracker because it is text matching, not model keeping:
 * it tells the tracker what happened through RawSqlEffects.
 */

/** What raw SQL can do to the tracked tables; the tracker carries each out on its models. */
export interface RawSqlEffects {
  /** Does the tracker know the table's shape? */
  known(table: string): boolean;
  /** The table's shape is unknown from now on; `why` says so in an error message. */
  unknown(table: string, why: string): void;
  renameTable(from: string, to: string): void;
  drop(table: string): void;
  dropIndex(name: string): void;
}

/** Tells `effects` what one raw statement did to the tables, as far as text matching can tell. */
export function applyRawSql(text: string, effects: RawSqlEffects): void {
  const sql = stripLeadingComments(text);
  const shown = shortenSql(sql, 80);
  const unknown = (name: string, what: string) => {
    effects.unknown(
      name,
      `table ${name} was ${what} by raw SQL (\`${shown}\`), which offline mode does not read table shapes from; ` +
        "use the op methods (op.createTable, op.addColumn, op.createIndex…) for tables that later need a rebuild or MODIFY COLUMN",
    );
  };
  const re = (pattern: string) => new RegExp(pattern, "i").exec(sql);
  let match: RegExpExecArray | null;
  if (
    (match = re(
      `^CREATE\\s+(?:(?:GLOBAL|LOCAL)\\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED)\\s+)?TABLE\\s+(IF\\s+NOT\\s+EXISTS\\s+)?${NAME}`,
    ))
  ) {
    const table = nameOf(match[2]!);
    // CREATE TABLE IF NOT EXISTS over a known table changes nothing.
    if (match[1] === undefined || !effects.known(table)) unknown(table, "created");
  } else if ((match = re(`^ALTER\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?(?:ONLY\\s+)?${NAME}\\s+RENAME\\s+TO\\s+${NAME}$`))) {
    effects.renameTable(nameOf(match[1]!), nameOf(match[2]!));
  } else if ((match = re(`^ALTER\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?(?:ONLY\\s+)?${NAME}`))) {
    if (effects.known(nameOf(match[1]!))) unknown(nameOf(match[1]!), "changed");
  } else if ((match = re(`^DROP\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?(${PART}(?:\\s*[.,]\\s*${PART})*)`))) {
    for (const name of splitNames(match[1]!)) effects.drop(name);
  } else if ((match = re(`^CREATE\\s+(?:UNIQUE\\s+)?INDEX\\b[\\s\\S]*?\\bON\\s+(?:ONLY\\s+)?${NAME}`))) {
    if (effects.known(nameOf(match[1]!))) unknown(nameOf(match[1]!), "changed");
  } else if ((match = re(`^DROP\\s+INDEX\\s+(?:CONCURRENTLY\\s+)?(?:IF\\s+EXISTS\\s+)?${NAME}`))) {
    effects.dropIndex(nameOf(match[1]!));
  } else if ((match = re(`^RENAME\\s+TABLE\\s+([\\s\\S]+)$`))) {
    for (const pair of match[1]!.split(",")) {
      const parts = new RegExp(`^\\s*${NAME}\\s+TO\\s+${NAME}\\s*$`, "i").exec(pair);
      if (parts !== null) effects.renameTable(nameOf(parts[1]!), nameOf(parts[2]!));
    }
  }
}

/** One possibly qualified identifier: "x", `x`, [x] or a bare word, with `schema.` in front. */
const PART = String.raw`(?:"(?:[^"]|"")*"|\x60(?:[^\x60]|\x60\x60)*\x60|\[[^\]]*\]|[\w$\u0080-\uffff]+)`;
const NAME = String.raw`(${PART}(?:\s*\.\s*${PART})*)`;

/** The last part of a qualified name, unquoted. */
function nameOf(text: string): string {
  const parts = text.match(new RegExp(PART, "g")) ?? [text];
  const last = parts[parts.length - 1]!.trim();
  const quote = last[0];
  if (quote === '"' || quote === "`")
    return last
      .slice(1, -1)
      .split(quote + quote)
      .join(quote);
  if (quote === "[") return last.slice(1, -1);
  return last;
}

function splitNames(list: string): string[] {
  return (list.match(new RegExp(`${PART}(?:\\s*\\.\\s*${PART})*`, "g")) ?? []).map(nameOf);
}

function stripLeadingComments(sql: string): string {
  return sql.replace(/^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?(?:\*\/|$))*/, "").replace(/;\s*$/, "");
}
