/**
 * "Every trigger created by an expand step must be gone after the matching
 * contract step" (SPEC §8). Triggers come from syncColumns/forbidWrites
 * (named by ops/naming.ts) and from raw CREATE TRIGGER; they go with
 * dropSync/allowWrites, DROP TRIGGER, or with their table.
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
    for (const item of categorizeDetailed(op, dialect)) out.push(remedy === undefined ? { item } : { item, remedy });
  }
  for (const statement of content.statements ?? []) {
    for (const item of classifySql(statement.sql, dialect)) out.push({ item });
  }
  return out;
}

const key = (name: string): string => name.toLowerCase();

function dropTrigger(dialect: DialectName) {
  return (name: string, table: string | undefined): string =>
    dialect === "postgres" && table !== undefined ? `DROP TRIGGER ${name} ON ${table}` : `DROP TRIGGER ${name}`;
}

/** Triggers the expand step leaves that the contract step does not remove, in creation order. */
export function triggersLeftByContract(expand: PhaseContent, contract: PhaseContent, dialect: DialectName): LeftoverTrigger[] {
  const live = new Map<string, LeftoverTrigger>();
  const remove = (item: Classified): void => {
    for (const dropped of item.triggers?.dropped ?? []) {
      const found = live.get(key(dropped.name));
      const sameTable = found?.table === undefined || dropped.table === undefined || key(found.table) === key(dropped.table);
      if (found !== undefined && sameTable) live.delete(key(dropped.name));
    }
    for (const table of item.triggers?.droppedTables ?? []) {
      for (const [k, trigger] of live) if (trigger.table !== undefined && key(trigger.table) === key(table)) live.delete(k);
    }
  };
  for (const { item, remedy } of effects(expand, dialect)) {
    for (const created of item.triggers?.created ?? []) {
      const fix = (remedy ?? dropTrigger(dialect))(created.name, created.table);
      live.set(key(created.name), {
        name: created.name,
        ...(created.table === undefined ? {} : { table: created.table }),
        createdBy: shortenStatement(item.statement),
        remedy: fix,
      });
    }
    remove(item);
  }
  for (const { item } of effects(contract, dialect)) remove(item);
  return [...live.values()];
}

export interface TriggerAuditContext {
  readonly dialect: DialectName;
  readonly revision: string;
  /** The contract script (or the single rolling script). */
  readonly file: string;
}

/** For `tidemark check`: one violation per trigger the contract step leaves behind. */
export function checkContractTriggers(expand: PhaseContent, contract: PhaseContent, ctx: TriggerAuditContext): Violation[] {
  return triggersLeftByContract(expand, contract, ctx.dialect).map((t) => {
    const on = t.table === undefined ? "" : ` on ${t.table}`;
    const base = {
      file: ctx.file,
      revision: ctx.revision,
      phase: "contract" as const,
      statement: t.createdBy,
      what: `trigger ${t.name}${on}`,
      rule:
        `every trigger an expand step creates must be dropped by the matching contract step, ` +
        `but trigger ${t.name}${on} is still there after contract; add \`${t.remedy}\` to the contract step`,
    };
    return { ...base, message: violationMessage(base) };
  });
}

/** Throws PhaseRuleError when the contract step leaves an expand trigger behind. */
export function guardContractTriggers(expand: PhaseContent, contract: PhaseContent, ctx: TriggerAuditContext): void {
  const violations = checkContractTriggers(expand, contract, ctx);
  if (violations.length > 0) throw phaseRuleError(violations);
}
