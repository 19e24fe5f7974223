/**
 * ALTER TABLE and ALTER DOMAIN on PostgreSQL: one statement holds many
 * subcommands, each judged on its own, and their tables of categories are
 * most of the classifier's text, so they are kept apart from the per-statement
 * switch in classify-postgres.ts.
 */
import type { AlterDomainStmt, AlterTableCmd, AlterTableStmt, ColumnDef, Constraint, IndexStmt } from "libpg-query";
import type { Category, Change } from "./classification.js";
import { CHECK_EFFECT, addColumnChange } from "./classification.js";
import { lastName, noun, rel, unwrap } from "./classify-postgres-nodes.js";

export function alterDomain(s: AlterDomainStmt): Change {
  const what = `ALTER DOMAIN ${lastName(s.typeName)}`;
  switch (s.subtype) {
    case "T":
      return s.def === undefined
        ? {
            category: "contractive",
            what: `${what} DROP DEFAULT`,
            effect: "makes the old release's inserts that rely on the default fail",
          }
        : { category: "additive", what: `${what} SET DEFAULT` };
    case "N":
      return { category: "additive", what: `${what} DROP NOT NULL` };
    case "O":
      return { category: "contractive", what: `${what} SET NOT NULL`, effect: "makes the old release's writes of NULL fail" };
    case "C":
      return { category: "contractive", what: `${what} ADD CONSTRAINT`, effect: CHECK_EFFECT };
    case "V":
      return { category: "constraint", what: `${what} VALIDATE CONSTRAINT` };
    case "X":
      return {
        category: "contractive",
        what: `${what} DROP CONSTRAINT`,
        effect: "removes a constraint the old release relies on",
      };
    default:
      return { category: "unknown", what };
  }
}

type Simple = readonly [Category, string, string?];

const ENABLES = "turns on a trigger or rule whose body tidemark does not see, on the old release's writes";

/** Subcommands whose category does not depend on their arguments: [category, words, effect]. */
const SIMPLE_COMMANDS: Readonly<Record<string, Simple>> = {
  AT_DropNotNull: ["additive", "ALTER COLUMN %s DROP NOT NULL"],
  AT_SetNotNull: ["contractive", "ALTER COLUMN %s SET NOT NULL", "makes the old release's writes that leave %s empty fail"],
  AT_SetExpression: ["contractive", "ALTER COLUMN %s SET EXPRESSION", "changes how a column the old release reads is computed"],
  AT_DropExpression: [
    "contractive",
    "ALTER COLUMN %s DROP EXPRESSION",
    "turns a generated column the old release reads into a plain one",
  ],
  AT_DropColumn: ["contractive", "DROP COLUMN %s", "removes a column the old release still reads"],
  AT_AlterColumnType: [
    "contractive",
    "ALTER COLUMN %s TYPE",
    "changes the type of a column the old release still reads and writes",
  ],
  AT_AddIndexConstraint: ["constraint", "ADD CONSTRAINT … USING INDEX"],
  AT_ValidateConstraint: ["constraint", "VALIDATE CONSTRAINT %s"],
  AT_AlterConstraint: ["contractive", "ALTER CONSTRAINT", "changes when a constraint the old release relies on is checked"],
  AT_DropConstraint: ["contractive", "DROP CONSTRAINT %s", "removes a constraint the old release relies on"],
  AT_AttachPartition: ["additive", "ATTACH PARTITION"],
  AT_DetachPartition: ["contractive", "DETACH PARTITION", "takes a partition's rows away from the old release"],
  AT_DetachPartitionFinalize: [
    "contractive",
    "DETACH PARTITION … FINALIZE",
    "takes a partition's rows away from the old release",
  ],
  AT_AddIdentity: ["additive", "ALTER COLUMN %s ADD GENERATED … AS IDENTITY"],
  AT_SetIdentity: ["neutral", "ALTER COLUMN %s SET (identity options)"],
  AT_DropIdentity: [
    "contractive",
    "ALTER COLUMN %s DROP IDENTITY",
    "makes the old release's inserts that rely on the identity fail",
  ],
  AT_EnableTrig: ["unknown", "ENABLE TRIGGER %s", ENABLES],
  AT_EnableAlwaysTrig: ["unknown", "ENABLE ALWAYS TRIGGER %s", ENABLES],
  AT_EnableReplicaTrig: ["unknown", "ENABLE REPLICA TRIGGER %s", ENABLES],
  AT_EnableTrigAll: ["unknown", "ENABLE TRIGGER ALL", ENABLES],
  AT_EnableTrigUser: ["unknown", "ENABLE TRIGGER USER", ENABLES],
  AT_DisableTrig: ["contractive", "DISABLE TRIGGER %s", "turns off a trigger that may keep the old release's writes consistent"],
  AT_DisableTrigAll: [
    "contractive",
    "DISABLE TRIGGER ALL",
    "turns off triggers that may keep the old release's writes consistent",
  ],
  AT_DisableTrigUser: [
    "contractive",
    "DISABLE TRIGGER USER",
    "turns off triggers that may keep the old release's writes consistent",
  ],
  AT_EnableRule: ["unknown", "ENABLE RULE %s", ENABLES],
  AT_EnableAlwaysRule: ["unknown", "ENABLE ALWAYS RULE %s", ENABLES],
  AT_EnableReplicaRule: ["unknown", "ENABLE REPLICA RULE %s", ENABLES],
  AT_DisableRule: ["contractive", "DISABLE RULE %s", "turns off a rule the old release may rely on"],
};

const STORAGE_COMMANDS = new Set([
  "AT_SetStatistics",
  "AT_SetOptions",
  "AT_ResetOptions",
  "AT_SetStorage",
  "AT_SetCompression",
  "AT_AlterColumnGenericOptions",
  "AT_ChangeOwner",
  "AT_ClusterOn",
  "AT_DropCluster",
  "AT_SetLogged",
  "AT_SetUnLogged",
  "AT_DropOids",
  "AT_SetAccessMethod",
  "AT_SetTableSpace",
  "AT_SetRelOptions",
  "AT_ResetRelOptions",
  "AT_ReplaceRelOptions",
  "AT_GenericOptions",
  "AT_ReplicaIdentity",
]);

export function alterTable(s: AlterTableStmt): Change[] {
  const object = s.objtype === undefined || s.objtype === "OBJECT_TABLE" ? "TABLE" : noun(s.objtype);
  const head = `ALTER ${object} ${rel(s.relation)}`;
  return (s.cmds ?? []).map((node) => alterCommand(unwrap(node)[1] as AlterTableCmd, head));
}

function alterCommand(cmd: AlterTableCmd, head: string): Change {
  const subtype = cmd.subtype ?? "";
  const name = cmd.name ?? "";
  const simple = SIMPLE_COMMANDS[subtype];
  if (simple !== undefined) {
    const [category, words, effect] = simple;
    const change: Change = { category, what: `${head} ${words.replace("%s", name)}`.replace(/\s+/g, " ").trimEnd() };
    return effect === undefined ? change : { ...change, effect: effect.replace("%s", name) };
  }
  if (STORAGE_COMMANDS.has(subtype)) return { category: "neutral", what: `${head} ${subtype.replace(/^AT_/, "")}` };
  switch (subtype) {
    case "AT_AddColumn":
    case "AT_AddColumnToView":
      return addColumn(unwrap(cmd.def)[1] as ColumnDef, head);
    case "AT_ColumnDefault":
      return cmd.def === undefined
        ? {
            category: "contractive",
            what: `${head} ALTER COLUMN ${name} DROP DEFAULT`,
            effect: "makes the old release's inserts that rely on the default fail",
          }
        : { category: "additive", what: `${head} ALTER COLUMN ${name} SET DEFAULT` };
    case "AT_AddIndex": {
      const index = unwrap(cmd.def)[1] as IndexStmt;
      return { category: index.unique === true ? "constraint" : "additive", what: `${head} ADD INDEX` };
    }
    case "AT_AddConstraint": {
      const c = unwrap(cmd.def)[1] as Constraint;
      if (c.contype === "CONSTR_NOTNULL") {
        return {
          category: "contractive",
          what: `${head} ADD CONSTRAINT ${c.conname ?? ""} NOT NULL`.replace(/\s+/g, " "),
          effect: "makes the old release's writes that leave the column empty fail",
        };
      }
      if (c.contype === "CONSTR_CHECK") {
        return {
          category: "contractive",
          what: `${head} ADD CONSTRAINT ${c.conname ?? ""} CHECK`.replace(/\s+/g, " "),
          effect: CHECK_EFFECT,
        };
      }
      const kind = (c.contype ?? "")
        .replace(/^CONSTR_/, "")
        .replace("FOREIGN", "FOREIGN KEY")
        .replace("PRIMARY", "PRIMARY KEY");
      return { category: "constraint", what: `${head} ADD CONSTRAINT ${c.conname ?? ""} ${kind}`.replace(/\s+/g, " ") };
    }
    default:
      return { category: "unknown", what: `${head} ${subtype.replace(/^AT_/, "")}` };
  }
}

const SERIAL_TYPES = new Set(["serial", "serial2", "serial4", "serial8", "smallserial", "bigserial"]);

function addColumn(def: ColumnDef, head: string): Change {
  const column = def.colname ?? "";
  const constraints = (def.constraints ?? []).map((n) => unwrap(n)[1] as Constraint);
  const isNullDefault = (c: Constraint): boolean => (unwrap(c.raw_expr)[1] as { isnull?: boolean }).isnull === true;
  const notNull =
    def.is_not_null === true || constraints.some((c) => c.contype === "CONSTR_NOTNULL" || c.contype === "CONSTR_PRIMARY");
  const filled =
    SERIAL_TYPES.has(lastName(def.typeName?.names).toLowerCase()) ||
    constraints.some(
      (c) =>
        (c.contype === "CONSTR_DEFAULT" && !isNullDefault(c)) ||
        c.contype === "CONSTR_IDENTITY" ||
        c.contype === "CONSTR_GENERATED",
    );
  const check = constraints.some((c) => c.contype === "CONSTR_CHECK");
  return addColumnChange(`${head} ADD COLUMN ${column}`, { check, notNull, filled });
}
