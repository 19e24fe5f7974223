/**
 * The `lint` section of the config: a severity per lock/rewrite rule, named
 * by id (`TM101`) or name (`index-not-concurrent`), for every body or per
 * body. An unknown rule or severity is a config error, not a silent default.
 */
import { ConfigError } from "../errors.js";
import { LINT_RULE_NAMES, type LintPhase, type LintRuleId, type LintSeverity, type LintSeveritySetting } from "../vocabulary.js";

export type LintRuleSettings = Readonly<Partial<Record<LintRuleId, LintSeveritySetting>>>;

export interface LintConfig {
  /** Severity per rule id or name: `"error"`, `"warning"`, `"off"`, or `{ expand: "error", contract: "warning" }`. */
  readonly rules?: Readonly<Record<string, LintSeveritySetting>>;
}

const SEVERITIES: readonly LintSeverity[] = ["error", "warning", "off"];
const PHASES: readonly LintPhase[] = ["expand", "migrate", "contract", "upgrade"];

function ruleId(key: string): LintRuleId | undefined {
  const upper = key.toUpperCase();
  if (Object.hasOwn(LINT_RULE_NAMES, upper)) return upper as LintRuleId;
  const byName = Object.entries(LINT_RULE_NAMES).find(([, name]) => name === key.toLowerCase());
  return byName?.[0] as LintRuleId | undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fail(file: string, key: string, message: string): never {
  throw new ConfigError(`${file}: "${key}" ${message}`, { fields: { file, key } });
}

function severity(file: string, key: string, value: unknown): LintSeverity {
  if (typeof value !== "string" || !(SEVERITIES as readonly string[]).includes(value)) {
    fail(file, key, `must be one of "error", "warning", "off", found ${JSON.stringify(value)}.`);
  }
  return value as LintSeverity;
}

/** Checks the `lint` setting and returns its rules keyed by id. */
export function validateLintConfig(value: unknown, file: string): LintRuleSettings | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) fail(file, "lint", 'must be an object like { rules: { TM101: "warning" } }.');
  for (const key of Object.keys(value)) {
    if (key !== "rules") fail(file, `lint.${key}`, 'is not a setting; the lint section holds "rules" only.');
  }
  const rules = value.rules;
  if (rules === undefined) return {};
  if (!isObject(rules)) fail(file, "lint.rules", 'must be an object keyed by rule id, like { TM101: "warning" }.');
  const out: Partial<Record<LintRuleId, LintSeveritySetting>> = {};
  for (const [key, setting] of Object.entries(rules)) {
    const id = ruleId(key);
    const where = `lint.rules.${key}`;
    if (id === undefined) {
      const known = Object.entries(LINT_RULE_NAMES)
        .map(([rid, name]) => `${rid} ${name}`)
        .join(", ");
      fail(file, where, `names no lint rule; the rules are ${known}.`);
    }
    if (isObject(setting)) {
      const perPhase: Partial<Record<LintPhase, LintSeverity>> = {};
      for (const [phase, level] of Object.entries(setting)) {
        if (!(PHASES as readonly string[]).includes(phase)) {
          fail(file, `${where}.${phase}`, `is not a body; use ${PHASES.join(", ")}.`);
        }
        perPhase[phase as LintPhase] = severity(file, `${where}.${phase}`, level);
      }
      out[id] = perPhase;
    } else {
      out[id] = severity(file, where, setting);
    }
  }
  return out;
}

/** Later layers override earlier ones rule by rule. */
export function mergeLintRules(earlier: LintRuleSettings | undefined, later: LintRuleSettings): LintRuleSettings {
  return { ...(earlier ?? {}), ...later };
}
