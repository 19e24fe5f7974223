/**
 * Whether the statement being split is a compound one (a trigger or routine
 * with a BEGIN … END body), whose inner `;` do not end it. Fed the
 * statement's words one by one by the splitter.
 */
import type { DialectName } from "../vocabulary.js";

/** Object kinds whose CREATE statement may carry a BEGIN … END body, per dialect. */
const COMPOUND_KINDS: Readonly<Record<DialectName, ReadonlySet<string>>> = {
  sqlite: new Set(["TRIGGER"]),
  mysql: new Set(["TRIGGER", "PROCEDURE", "FUNCTION", "EVENT"]),
  // PostgreSQL bodies are dollar-quoted; only SQL-standard `BEGIN ATOMIC … END` bodies need this.
  postgres: new Set(["FUNCTION", "PROCEDURE"]),
};
/** Other kinds: seeing one of these first after CREATE settles that the statement is not compound. */
const OTHER_KINDS = new Set([
  "TABLE",
  "INDEX",
  "VIEW",
  "DATABASE",
  "SCHEMA",
  "SEQUENCE",
  "USER",
  "ROLE",
  "SERVER",
  "TABLESPACE",
  "UNIQUE",
  "FULLTEXT",
  "SPATIAL",
  "VIRTUAL",
  "TYPE",
  "DOMAIN",
  "EXTENSION",
  "MATERIALIZED",
  "POLICY",
  "RULE",
  "CAST",
  "COLLATION",
  "CONVERSION",
  "PUBLICATION",
  "SUBSCRIPTION",
  "STATISTICS",
  "LOGFILE",
  "RESOURCE",
]);
const ANY_COMPOUND_KIND = new Set(Object.values(COMPOUND_KINDS).flatMap((kinds) => [...kinds]));
/** Words after END naming what it closes; all but CASE close constructs whose opener we do not count. */
const END_SUFFIX = /[ \t\r\n]+(IF|LOOP|WHILE|REPEAT|CASE)\b/iy;

export class CompoundStatement {
  private words = 0;
  /** undefined until the statement's object kind is known. */
  private compound: boolean | undefined;
  private depth = 0;
  /** Offset of the outermost BEGIN, for the error when its END is missing. */
  blockStart = 0;

  constructor(private readonly kinds: ReadonlySet<string>) {}

  static for(dialect: DialectName): CompoundStatement {
    return new CompoundStatement(COMPOUND_KINDS[dialect]);
  }

  /** Inside a BEGIN … END body: a `;` here ends an inner statement, not the CREATE. */
  get inBody(): boolean {
    return this.compound === true && this.depth > 0;
  }

  reset(): void {
    this.words = 0;
    this.compound = undefined;
    this.depth = 0;
  }

  /**
   * Takes the word `text[start, end)`; returns where reading goes on (past
   * an `END IF`-style suffix, which must not be read as an opener).
   */
  word(text: string, start: number, end: number): number {
    if (this.compound === false) return end;
    const upper = text.slice(start, end).toUpperCase();
    this.words++;
    if (this.words === 1) {
      if (upper !== "CREATE") this.compound = false;
      return end;
    }
    if (this.compound === undefined) {
      if (this.kinds.has(upper)) this.compound = true;
      else if (OTHER_KINDS.has(upper) || ANY_COMPOUND_KIND.has(upper)) this.compound = false;
      return end;
    }
    // Only BEGIN and CASE are closed by a bare END; IF/LOOP/WHILE/REPEAT close with `END IF` etc.
    if (upper === "BEGIN" || upper === "CASE") {
      if (this.depth === 0) this.blockStart = start;
      this.depth++;
    } else if (upper === "END") {
      END_SUFFIX.lastIndex = end;
      const suffix = END_SUFFIX.exec(text);
      if ((suffix === null || (suffix[1] as string).toUpperCase() === "CASE") && this.depth > 0) this.depth--;
      if (suffix !== null) return end + suffix[0].length;
    }
    return end;
  }
}
