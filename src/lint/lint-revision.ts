/**
 * Judges the lock facts of one repository's revisions, in graph order, and
 * gives the findings. What a revision creates is exempt (an index on a table
 * created in the same revision locks nobody); what a revision validates is
 * remembered for the revisions after it (SET NOT NULL after a validated
 * CHECK col IS NOT NULL scans nothing).
 */
import type { DialectName, LintPhase, LintRuleId, LintSeverity } from "../vocabulary.js";
import { sameName, type LockFact } from "./facts.js";
import { lintRule, severityOf, type LintRuleSettings } from "./rules.js";

/** One statement (or op) of a body, with what the lint read from it. */
export interface LintItem {
  readonly statement: string;
  readonly line?: number;
  readonly facts: readonly LockFact[];
  readonly unsafe?: string;
}

export interface LintBody {
  readonly phase: LintPhase;
  readonly file: string;
  readonly items: readonly LintItem[];
}

export interface Finding {
  readonly revision: string;
  readonly phase: LintPhase;
  readonly file: string;
  readonly line?: number;
  readonly rule: LintRuleId;
  readonly name: string;
  readonly severity: Exclude<LintSeverity, "off">;
  readonly statement: string;
  readonly message: string;
}

/** A finding an `unsafe` mark silenced: listed, never counted. */
export interface Silenced extends Omit<Finding, "severity"> {
  readonly reason: string;
}

export interface RevisionReport {
  readonly findings: Finding[];
  readonly silenced: Silenced[];
}

const ROLLING: readonly LintPhase[] = ["expand", "migrate", "contract"];

/** What earlier revisions left that later ones may rely on. */
export class LintHistory {
  /** CHECK (col IS NOT NULL) constraints by name, not yet validated. */
  readonly pendingChecks = new Map<string, { table: string; column: string }>();
  /** `table.column` (lower case) with a validated NOT NULL check. */
  readonly notNullChecked = new Set<string>();
}

function key(table: string, column: string): string {
  return `${table}.${column}`.toLowerCase();
}

interface Hit {
  readonly rule: LintRuleId;
  readonly detail: string;
}

class RevisionScope {
  private readonly created = new Set<string>();
  private readonly dropped = new Set<string>();
  private readonly addedColumns = new Set<string>();
  private readonly createdIndexes = new Set<string>();

  constructor(
    private readonly dialect: DialectName,
    private readonly history: LintHistory,
  ) {}

  private isNew(table: string | undefined): boolean {
    return table !== undefined && this.created.has(table.toLowerCase());
  }

  /** The rules a fact breaks, and remembers what it creates. */
  judge(fact: LockFact, phase: LintPhase): Hit[] {
    const { dialect } = this;
    switch (fact.kind) {
      case "create-table":
        this.created.add(fact.table.toLowerCase());
        return [];
      case "drop-table":
        this.dropped.add(fact.table.toLowerCase());
        return [];
      case "rename-table": {
        const wasNew = this.isNew(fact.table);
        if (wasNew) this.created.add(fact.to.toLowerCase());
        // SQLite's rebuild recipe: the copy takes the dropped table's name.
        if (dialect === "sqlite" && this.dropped.has(fact.to.toLowerCase()) && ROLLING.includes(phase)) {
          return [{ rule: "TM502", detail: `ALTER TABLE ${fact.table} RENAME TO ${fact.to} completes a rebuild of ${fact.to}` }];
        }
        return [];
      }
      case "add-column":
        this.addedColumns.add(key(fact.table, fact.column));
        if (this.isNew(fact.table) || fact.volatile === undefined) return [];
        return [{ rule: "TM201", detail: `ADD COLUMN ${fact.table}.${fact.column} with ${fact.volatile}` }];
      case "drop-index":
        if (fact.online || this.createdIndexes.has(fact.name.toLowerCase())) return [];
        return [{ rule: "TM106", detail: `DROP INDEX ${fact.name}` }];
      case "reindex":
        return fact.online ? [] : [{ rule: "TM107", detail: `REINDEX ${fact.target}` }];
      case "refresh-view":
        return fact.online || this.isNew(fact.table)
          ? []
          : [{ rule: "TM108", detail: `REFRESH MATERIALIZED VIEW ${fact.table}` }];
      case "create-index":
      case "constraint-index": {
        if (fact.kind === "create-index" && fact.name !== undefined) this.createdIndexes.add(fact.name.toLowerCase());
        if (this.isNew(fact.table)) return [];
        const hits: Hit[] = [];
        const on = `on ${fact.table} (${fact.columns.join(", ")})`;
        if (fact.kind === "constraint-index") hits.push({ rule: "TM104", detail: `ADD ${fact.what} ${on}` });
        else if (!fact.online) {
          const rule: LintRuleId = dialect === "postgres" ? "TM101" : dialect === "mysql" ? "TM102" : "TM103";
          hits.push({ rule, detail: `CREATE ${fact.unique ? "UNIQUE " : ""}INDEX ${on}` });
        }
        const old = fact.columns.filter((column) => !this.addedColumns.has(key(fact.table, column)));
        // Only while the old release writes: before contract, in a rolling repository.
        if (fact.unique && old.length > 0 && (phase === "expand" || phase === "migrate")) {
          hits.push({
            rule: "TM105",
            detail: `unique ${on}: ${old.join(", ")} ${old.length === 1 ? "is" : "are"} written by the old release`,
          });
        }
        return hits;
      }
      case "change-type":
        return this.isNew(fact.table) ? [] : [{ rule: "TM202", detail: `${fact.what} on ${fact.table}` }];
      case "set-not-null":
        if (this.isNew(fact.table) || this.history.notNullChecked.has(key(fact.table, fact.column))) return [];
        return [{ rule: "TM203", detail: `ALTER COLUMN ${fact.table}.${fact.column} SET NOT NULL` }];
      case "add-constraint": {
        if (fact.notNullColumn !== undefined) {
          if (!fact.notValid) this.history.notNullChecked.add(key(fact.table, fact.notNullColumn));
          else if (fact.name !== undefined) {
            this.history.pendingChecks.set(fact.name.toLowerCase(), { table: fact.table, column: fact.notNullColumn });
          }
        }
        if (this.isNew(fact.table) || fact.notValid) return [];
        return [{ rule: "TM301", detail: `ADD ${fact.what}${fact.name === undefined ? "" : ` ${fact.name}`} on ${fact.table}` }];
      }
      case "validate-constraint": {
        const check = this.history.pendingChecks.get(fact.name.toLowerCase());
        if (check !== undefined && sameName(check.table, fact.table)) {
          this.history.notNullChecked.add(key(check.table, check.column));
        }
        return [];
      }
      case "lock-table":
        return fact.tables.every((table) => this.isNew(table))
          ? []
          : [{ rule: "TM401", detail: `LOCK TABLE ${fact.tables.join(", ")}` }];
      case "cluster":
        return this.isNew(fact.table)
          ? []
          : [{ rule: "TM402", detail: `CLUSTER${fact.table === undefined ? "" : ` ${fact.table}`}` }];
      case "set-logged":
        return this.isNew(fact.table)
          ? []
          : [{ rule: "TM403", detail: `ALTER TABLE ${fact.table} SET ${fact.logged ? "LOGGED" : "UNLOGGED"}` }];
      case "vacuum-full":
        return this.isNew(fact.table)
          ? []
          : [
              {
                rule: "TM404",
                detail: dialect === "sqlite" ? "VACUUM" : `VACUUM FULL${fact.table === undefined ? "" : ` ${fact.table}`}`,
              },
            ];
      case "terminate-backend":
        return [{ rule: "TM405", detail: fact.what }];
      case "copy-alter":
        return this.isNew(fact.table) ? [] : [{ rule: "TM501", detail: `ALTER TABLE ${fact.table}: ${fact.why}` }];
      case "table-rebuild":
        return this.isNew(fact.table) || !ROLLING.includes(phase) ? [] : [{ rule: "TM502", detail: fact.why }];
    }
  }
}

/** Lints one revision's bodies (in phase order); `history` carries over to the next revision. */
export function lintRevision(
  revision: string,
  bodies: readonly LintBody[],
  options: { readonly dialect: DialectName; readonly settings?: LintRuleSettings; readonly history: LintHistory },
): RevisionReport {
  const scope = new RevisionScope(options.dialect, options.history);
  const findings: Finding[] = [];
  const silenced: Silenced[] = [];
  for (const body of bodies) {
    for (const item of body.items) {
      for (const fact of item.facts) {
        for (const hit of scope.judge(fact, body.phase)) {
          const rule = lintRule(hit.rule);
          const base = {
            revision,
            phase: body.phase,
            file: body.file,
            ...(item.line === undefined ? {} : { line: item.line }),
            rule: rule.id,
            name: rule.name,
            statement: item.statement,
            message: `${hit.detail}: ${rule.what}. Safe sequence: ${rule.safe}.`,
          };
          if (item.unsafe !== undefined) {
            silenced.push({ ...base, reason: item.unsafe });
            continue;
          }
          const severity = severityOf(rule.id, body.phase, options.settings);
          if (severity !== "off") findings.push({ ...base, severity });
        }
      }
    }
  }
  return { findings, silenced };
}
