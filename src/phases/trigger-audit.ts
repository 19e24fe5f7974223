/**
 * "Every trigger created by an expand step must be gone after the matching
 * contract step" (SPEC §8). Triggers come from syncColumns/forbidWrites
 * (named by ops/naming.ts) and from raw CREATE TRIGGER; they go with
 * dropSync/allowWrites, DROP TRIGGER, or with their table or view.
 *
 * Two audits share these rules. `check` (no database) follows names through
 * the scripts. A contract step that runs reads the database after its body
 * (live-trigger-audit.ts): what decides is which triggers exist, not which
 * names the scripts wrote. Names compare as the database compares them:
 * exactly on PostgreSQL (whose parser already folded unquoted names) and
 * MySQL/MariaDB, without regard to case on SQLite.
 *
 * A trigger meant to outlive its window (an audit trigger) is declared with
 * a `tidemark:permanent-trigger NAME` mark in the script that creates it.
 */
import type { DialectName } from "../vocabulary.js";
import type { Classified } from "./classification.js";
import type { Op } from "../ops/op.js";
import { categorizeDetailed } from "./category.js";
import type { GuardStatement, Violation } from "./guard.js";
import { phaseRuleError, shortenStatement, violationMessage } from "./guard.js";
import { classifySql } from "./sql-classifier.js";

/** What one phase of a revision does: its recorded ops and/or its SQL statements. */
export interface PhaseContent {
  readonly ops?: readonly Op[];
  readonly statements?: readonly GuardStatement[];
}

export interface LeftoverTrigger {
  readonly name: string;
  readonly table?: string;
  /** The op call or statement that created it. */
  readonly createdBy: string;
  /** What the contract step should do to remove it. */
  readonly remedy: string;
}

interface Effect {
  readonly item: Classified;
  readonly remedy?: (name: string, table: string | undefined) => string;
  /** Views this change drops: their triggers go with them. */
  readonly droppedViews?: readonly string[];
}

const DROP_VIEW = /^DROP\s+(?:MATERIALIZED\s+)?VIEW\s+(?:IF\s+EXISTS\s+)?(.+)$/i;

/** Views a classified DROP VIEW removes (unqualified), read from its description. */
function viewsDropped(item: Classified): string[] {
  const match = DROP_VIEW.exec(item.what);
  if (match === null) return [];
  return (match[1] ?? "")
    .split(",")
    .map((name) => unqualified(name.trim()))
    .filter((name) => name !== "");
}

function unqualified(name: string): string {
  const last = name.split(".").pop() ?? name;
  return last.replace(/^["`[]|["`\]]$/g, "");
}

function effects(content: PhaseContent, dialect: DialectName): Effect[] {
  const out: Effect[] = [];
  for (const op of content.ops ?? []) {
    const remedy =
      op.kind === "syncColumns"
        ? () => `op.dropSync({ table: ${JSON.stringify(op.table)}, name: ${JSON.stringify(op.name)} })`
        : op.kind === "forbidWrites"
          ? () => `op.allowWrites(${JSON.stringify(op.table)})`
          : undefined;
    for (const item of categorizeDetailed(op, dialect)) {
      const droppedViews = op.kind === "dropView" ? [op.name] : viewsDropped(item);
      out.push({ item, ...(remedy === undefined ? {} : { remedy }), droppedViews });
    }
  }
  for (const statement of content.statements ?? []) {
    for (const item of classifySql(statement.sql, dialect)) out.push({ item, droppedViews: viewsDropped(item) });
  }
  return out;
}

/** Does the database compare trigger (and table) names without regard to case? */
export function triggerNamesFoldCase(dialect: DialectName): boolean {
  return dialect === "sqlite";
}

/** The key two names share when the database takes them for the same trigger. */
export function triggerKey(name: string, foldCase: boolean): string {
  return foldCase ? name.toLowerCase() : name;
}

function dropTrigger(dialect: DialectName) {
  return (name: string, table: string | undefined): string =>
    dialect === "postgres" && table !== undefined ? `DROP TRIGGER ${name} ON ${table}` : `DROP TRIGGER ${name}`;
}

/** Follows the trigger effects of a list of changes: what is created, what is removed again. */
class TriggerLedger {
  readonly live = new Map<string, LeftoverTrigger>();
  constructor(private readonly foldCase: boolean) {}

  private key(name: string): string {
    return triggerKey(name, this.foldCase);
  }

  create(effect: Effect, dialect: DialectName): void {
    const { item, remedy } = effect;
    for (const created of item.triggers?.created ?? []) {
      this.live.set(this.key(created.name), {
        name: created.name,
        ...(created.table === undefined ? {} : { table: created.table }),
        createdBy: shortenStatement(item.statement),
        remedy: (remedy ?? dropTrigger(dialect))(created.name, created.table),
      });
    }
  }

  remove(effect: Effect): void {
    const { item } = effect;
    for (const dropped of item.triggers?.dropped ?? []) {
      const found = this.live.get(this.key(dropped.name));
      const sameTable =
        found?.table === undefined || dropped.table === undefined || this.key(found.table) === this.key(dropped.table);
      if (found !== undefined && sameTable) this.live.delete(this.key(dropped.name));
    }
    for (const table of [...(item.triggers?.droppedTables ?? []), ...(effect.droppedViews ?? [])]) {
      for (const [k, trigger] of this.live) {
        if (trigger.table !== undefined && this.key(trigger.table) === this.key(table)) this.live.delete(k);
      }
    }
  }
}

/** Triggers the expand step creates and does not drop itself, in creation order. */
export function triggersCreatedByExpand(expand: PhaseContent, dialect: DialectName): LeftoverTrigger[] {
  const ledger = new TriggerLedger(triggerNamesFoldCase(dialect));
  for (const effect of effects(expand, dialect)) {
    ledger.create(effect, dialect);
    ledger.remove(effect);
  }
  return [...ledger.live.values()];
}

/** Triggers the expand step leaves that the contract step does not remove, in creation order. */
export function triggersLeftByContract(
  expand: PhaseContent,
  contract: PhaseContent,
  dialect: DialectName,
  permanent: readonly string[] = [],
): LeftoverTrigger[] {
  const foldCase = triggerNamesFoldCase(dialect);
  const ledger = new TriggerLedger(foldCase);
  for (const effect of effects(expand, dialect)) {
    ledger.create(effect, dialect);
    ledger.remove(effect);
  }
  // A contract that drops an expand trigger and creates it again leaves it there.
  const fromExpand = new Map(ledger.live);
  for (const effect of effects(contract, dialect)) {
    ledger.remove(effect);
    for (const created of effect.item.triggers?.created ?? []) {
      const original = fromExpand.get(triggerKey(created.name, foldCase));
      if (original !== undefined) ledger.live.set(triggerKey(created.name, foldCase), original);
    }
  }
  const kept = new Set(permanent.map((name) => triggerKey(name, foldCase)));
  return [...ledger.live.values()].filter((trigger) => !kept.has(triggerKey(trigger.name, foldCase)));
}

const PERMANENT_MARK = /tidemark:permanent-trigger[ \t]+("[^"\n]+"|`[^`\n]+`|[^\s*,;]+)/g;

/**
 * The triggers a script declares permanent: `-- tidemark:permanent-trigger
 * NAME` in a SQL script, the same words in any comment of a TypeScript or
 * JavaScript script (or inside the SQL text of `op.execute`). A quoted
 * name keeps its quotes off and its case.
 */
export function permanentTriggerMarks(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(PERMANENT_MARK)) {
    const raw = match[1] ?? "";
    names.push(/^["`]/.test(raw) ? raw.slice(1, -1) : raw);
  }
  return names;
}

export interface TriggerAuditContext {
  readonly dialect: DialectName;
  readonly revision: string;
  /** The contract script (or the single rolling script). */
  readonly file: string;
  /** Triggers declared `tidemark:permanent-trigger` in the revision's scripts. */
  readonly permanent?: readonly string[];
}

/** The violation for one trigger an expand step created and the contract step left. */
export function leftoverViolation(trigger: LeftoverTrigger, ctx: TriggerAuditContext, seen?: string): Violation {
  const on = trigger.table === undefined ? "" : ` on ${trigger.table}`;
  const base = {
    file: ctx.file,
    revision: ctx.revision,
    phase: "contract" as const,
    statement: trigger.createdBy,
    what: `trigger ${trigger.name}${on}`,
    rule:
      `every trigger an expand step creates must be dropped by the matching contract step, ` +
      `but trigger ${trigger.name}${on} ${seen ?? "is still there after contract"}; add \`${trigger.remedy}\` to the ` +
      `contract step${trigger.remedy.startsWith("DROP TRIGGER") ? permanentHint(trigger.name) : ""}`,
  };
  return { ...base, message: violationMessage(base) };
}

function permanentHint(name: string): string {
  return ` (or, for a trigger meant to stay, a \`tidemark:permanent-trigger ${name}\` mark in the script that creates it)`;
}

/** For `tidemark check`: one violation per trigger the contract step leaves behind. */
export function checkContractTriggers(expand: PhaseContent, contract: PhaseContent, ctx: TriggerAuditContext): Violation[] {
  return triggersLeftByContract(expand, contract, ctx.dialect, ctx.permanent).map((t) => leftoverViolation(t, ctx));
}

/** Throws PhaseRuleError when the contract step leaves an expand trigger behind. */
export function guardContractTriggers(expand: PhaseContent, contract: PhaseContent, ctx: TriggerAuditContext): void {
  const violations = checkContractTriggers(expand, contract, ctx);
  if (violations.length > 0) throw phaseRuleError(violations);
}
