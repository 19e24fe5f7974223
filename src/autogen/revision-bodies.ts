/**
 * A comparison's changes as the text of a new revision's bodies: plain
 * (`upgrade`, `downgrade`) or rolling (`expand`, `migrate`, `contract`, and
 * `downgrade`), in TypeScript op calls or in the dialect's SQL.
 */
import type { Dialect } from "../dialects/dialect.js";
import type { TableModel } from "../dialects/schema-model.js";
import type { Change } from "./change.js";
import { renderTsBody, SqlBodyRenderer } from "./render-body.js";
import { rollingBodies } from "./rolling.js";
import type { SchemaSpec } from "./schema-spec.js";
import { plainBodies, type BodyName, type ScriptBodies } from "./script-steps.js";

export interface BodyOptions {
  readonly rolling: boolean;
  readonly language: "ts" | "sql";
  readonly dialect: Dialect;
  /** The introspected tables the changes start from (SQL is compiled against them). */
  readonly liveTables: readonly TableModel[];
  readonly declared: SchemaSpec;
  readonly dbSchema?: string;
}

const ORDER: readonly BodyName[] = ["upgrade", "expand", "migrate", "contract", "downgrade"];

export function revisionBodies(changes: readonly Change[], options: BodyOptions): ScriptBodies {
  return options.rolling ? rollingBodies(changes, options.declared, options.liveTables, options.dialect) : plainBodies(changes);
}

export function bodyTexts(bodies: ScriptBodies, options: BodyOptions): Partial<Record<BodyName, string>> {
  const texts: Partial<Record<BodyName, string>> = {};
  // One renderer for all bodies in run order: the downgrade's SQL starts from the tables the upgrade left.
  const sql = options.language === "sql" ? new SqlBodyRenderer(options.dialect, options.liveTables, options.dbSchema) : undefined;
  for (const name of ORDER) {
    const steps = bodies[name];
    if (steps === undefined) continue;
    texts[name] = sql === undefined ? renderTsBody(steps) : sql.body(steps);
  }
  return texts;
}
