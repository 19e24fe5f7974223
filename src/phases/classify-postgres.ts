/**
 * Classifies PostgreSQL statements with PostgreSQL's own parser
 * (libpg-query, WebAssembly). The module is loaded on first need only, so
 * that nothing pays for it unless a rolling repository runs on PostgreSQL.
 */
import type {
  AlterDomainStmt,
  AlterEnumStmt,
  AlterSeqStmt,
  AlterTableCmd,
  AlterTableStmt,
  ColumnDef,
  Constraint,
  CopyStmt,
  CreateStmt,
  CreateTableAsStmt,
  CreateTrigStmt,
  DefElem,
  DropStmt,
  ExplainStmt,
  GrantStmt,
  IndexStmt,
  Node,
  ObjectType,
  RangeVar,
  RenameStmt,
  SelectStmt,
  ViewStmt,
} from "libpg-query";
import type { Category, Change } from "./classification.js";
import { CHECK_EFFECT, NOT_NULL_WITHOUT_DEFAULT } from "./classification.js";
import { messageOf } from "../errors.js";
import { parsePg, pgParserLoaded } from "../sql/pg-parser.js";
import { TRANSACTION_EFFECT } from "./classification.js";
import { CALL_EFFECT, isSafeFunction, SEQUENCE_WRITERS } from "./function-calls.js";
import { postgresSetting } from "./session-settings.js";
import { ADDITIVE_TAGS, CONTRACTIVE_TAGS, NEUTRAL_TAGS, OPAQUE_TAGS } from "./classify-postgres-tags.js";

export { loadPgParser, pgParserLoaded } from "../sql/pg-parser.js";

/** Classifies one statement's text (it may hold several statements; each is classified). */
export function classifyPostgres(sql: string): Change[] {
  if (!pgParserLoaded()) {
    throw new Error('the PostgreSQL parser is not loaded: await loadSqlClassifier("postgres") before classifying');
  }
  let stmts: readonly Node[];
  try {
    stmts = parsePg(sql);
  } catch (error) {
    return [{ category: "unknown", what: `a statement PostgreSQL cannot parse (${messageOf(error)})` }];
  }
  if (stmts.length === 0) return [{ category: "neutral", what: "empty statement" }];
  return stmts.flatMap((node) => classifyNode(node));
}

/** The node's tag and body: `{ AlterTableStmt: {…} }` → ["AlterTableStmt", {…}]. */
function unwrap(node: Node | undefined): [string, Record<string, unknown>] {
  if (node === undefined) return ["", {}];
  const [tag, body] = Object.entries(node)[0] ?? ["", {}];
  return [tag, (body ?? {}) as Record<string, unknown>];
}

function sval(node: Node | undefined): string {
  const [tag, body] = unwrap(node);
  return tag === "String" ? String(body.sval ?? "") : "";
}

function rel(range: RangeVar | undefined): string {
  return range?.relname ?? "";
}

function lastName(nodes: readonly Node[] | undefined): string {
  return sval(nodes?.[nodes.length - 1]);
}

/** The printable name of one object of a DROP: a list of names, a name, a function signature, a type. */
function objectName(node: Node): string {
  const [tag, body] = unwrap(node);
  if (tag === "String") return String(body.sval ?? "");
  if (tag === "List") return lastName(body.items as Node[] | undefined);
  if (tag === "ObjectWithArgs") return lastName(body.objname as Node[] | undefined);
  if (tag === "TypeName") return lastName(body.names as Node[] | undefined);
  return "";
}

function noun(type: ObjectType | undefined): string {
  return (type ?? "OBJECT_OBJECT")
    .replace(/^OBJECT_/, "")
    .replace(/_/g, " ")
    .replace("TABCONSTRAINT", "CONSTRAINT");
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`;
}

const TEMP = "t";

/** A statement's changes, unless it calls a function tidemark does not know: then it is opaque. */
function classifyNode(node: Node): Change[] {
  const changes = classifyShape(node);
  if (changes.every((change) => change.category === "unknown")) return changes;
  const call = functionNames(node).find((name) => !isSafeFunction(name, "postgres") && !SEQUENCE_WRITERS.has(name));
  if (call === undefined) return changes;
  return [{ category: "unknown", what: `a call of ${call}()`, effect: CALL_EFFECT }];
}

function classifyShape(node: Node): Change[] {
  const [tag, body] = unwrap(node);
  const opaque = OPAQUE_TAGS[tag];
  if (opaque !== undefined) {
    const [what, effect] = opaque;
    return [{ category: "unknown", what, effect }];
  }
  if (tag === "TransactionStmt") {
    const kind = String((body as { kind?: string }).kind ?? "");
    if (["TRANS_STMT_SAVEPOINT", "TRANS_STMT_RELEASE", "TRANS_STMT_ROLLBACK_TO"].includes(kind)) {
      return [{ category: "neutral", what: kind.replace("TRANS_STMT_", "").replace("_", " ") }];
    }
    return [{ category: "unknown", what: "transaction control", effect: TRANSACTION_EFFECT }];
  }
  if (tag === "VariableSetStmt") {
    const s = body as { kind?: string; name?: string };
    return [postgresSetting(s.kind === "VAR_RESET_ALL" ? undefined : (s.name ?? ""), (s.kind ?? "").startsWith("VAR_RESET"))];
  }
  const additive = ADDITIVE_TAGS[tag];
  if (additive !== undefined) return [{ category: "additive", what: additive }];
  const neutral = NEUTRAL_TAGS[tag];
  if (neutral !== undefined) return [{ category: "neutral", what: neutral }];
  const dropping = CONTRACTIVE_TAGS[tag];
  if (dropping !== undefined)
    return [{ category: "contractive", what: dropping, effect: "removes something the old release may still use" }];
  switch (tag) {
    case "CreateStmt": {
      const s = body as CreateStmt;
      if (s.relation?.relpersistence === TEMP)
        return [{ category: "neutral", what: `CREATE TEMPORARY TABLE ${rel(s.relation)}` }];
      return [{ category: "additive", what: `CREATE TABLE ${rel(s.relation)}` }];
    }
    case "IndexStmt": {
      const s = body as IndexStmt;
      const unique = s.unique === true;
      return [
        {
          category: unique ? "constraint" : "additive",
          what: `CREATE ${unique ? "UNIQUE " : ""}INDEX ${s.idxname ?? ""} ON ${rel(s.relation)}`.replace(/\s+/g, " "),
        },
      ];
    }
    case "ViewStmt": {
      const s = body as ViewStmt;
      if (s.replace === true) {
        return [
          {
            category: "contractive",
            what: `CREATE OR REPLACE VIEW ${rel(s.view)}`,
            effect: "replaces in place a view the old release may read",
          },
        ];
      }
      return [{ category: "additive", what: `CREATE VIEW ${rel(s.view)}` }];
    }
    case "CreateTableAsStmt": {
      const s = body as CreateTableAsStmt;
      const what = s.objtype === "OBJECT_MATVIEW" ? "CREATE MATERIALIZED VIEW" : "CREATE TABLE … AS";
      if (s.into?.rel?.relpersistence === TEMP) return [{ category: "neutral", what: `${what} (temporary) ${rel(s.into.rel)}` }];
      return [{ category: "additive", what: `${what} ${rel(s.into?.rel)}` }];
    }
    case "CreateTrigStmt": {
      const s = body as CreateTrigStmt;
      const name = s.trigname ?? "";
      const table = rel(s.relation);
      return [
        {
          category: "unknown",
          what: `CREATE TRIGGER ${name} ON ${table}`,
          effect:
            "a trigger runs on the old release's writes and may reject, rewrite or discard them; " +
            "only tidemark's own triggers (op.syncColumns, op.forbidWrites) are proven safe",
          triggers: { created: [{ name, table }] },
        },
      ];
    }
    case "AlterTableStmt":
      return alterTable(body as AlterTableStmt);
    case "AlterEnumStmt": {
      const s = body as AlterEnumStmt;
      if (s.oldVal !== undefined) {
        return [
          {
            category: "contractive",
            what: `ALTER TYPE ${lastName(s.typeName)} RENAME VALUE`,
            effect: "renames an enum value the old release still writes",
          },
        ];
      }
      return [{ category: "additive", what: `ALTER TYPE ${lastName(s.typeName)} ADD VALUE` }];
    }
    case "AlterDomainStmt":
      return [alterDomain(body as AlterDomainStmt)];
    case "AlterSeqStmt": {
      const s = body as AlterSeqStmt;
      const restart = (s.options ?? []).some((o) => (unwrap(o)[1] as DefElem).defname === "restart");
      return [{ category: restart ? "data" : "neutral", what: `ALTER SEQUENCE ${rel(s.sequence)}${restart ? " RESTART" : ""}` }];
    }
    case "RenameStmt": {
      const s = body as RenameStmt;
      const what = noun(s.renameType);
      const target =
        s.renameType === "OBJECT_COLUMN" ? `${rel(s.relation)}.${s.subname ?? ""}` : rel(s.relation) || s.subname || "";
      return [
        {
          category: "contractive",
          what: `RENAME ${what} ${target} TO ${s.newname ?? ""}`.replace(/\s+/g, " "),
          effect: `renames ${article(what.toLowerCase())} the old release still uses by its old name`,
        },
      ];
    }
    case "AlterObjectSchemaStmt":
      return [
        {
          category: "contractive",
          what: "ALTER … SET SCHEMA",
          effect: "moves an object the old release still uses to another schema",
        },
      ];
    case "DropStmt":
      return [dropStatement(body as DropStmt)];
    case "TruncateStmt":
      return [{ category: "data", what: "TRUNCATE" }];
    case "InsertStmt":
      return [{ category: "data", what: `INSERT INTO ${rel((body as { relation?: RangeVar }).relation)}` }];
    case "UpdateStmt":
      return [{ category: "data", what: `UPDATE ${rel((body as { relation?: RangeVar }).relation)}` }];
    case "DeleteStmt":
      return [{ category: "data", what: `DELETE FROM ${rel((body as { relation?: RangeVar }).relation)}` }];
    case "MergeStmt":
      return [{ category: "data", what: `MERGE INTO ${rel((body as { relation?: RangeVar }).relation)}` }];
    case "RefreshMatViewStmt":
      return [{ category: "data", what: `REFRESH MATERIALIZED VIEW ${rel((body as { relation?: RangeVar }).relation)}` }];
    case "CopyStmt": {
      const s = body as CopyStmt;
      if (s.is_program === true || (s.is_from !== true && s.filename !== undefined)) {
        return [
          { category: "unknown", what: "COPY … PROGRAM / TO a file", effect: "runs a program or writes a file on the server" },
        ];
      }
      return s.is_from === true
        ? [{ category: "data", what: `COPY ${rel(s.relation)} FROM` }]
        : [{ category: "neutral", what: "COPY … TO" }];
    }
    case "SelectStmt":
      return [select(body as SelectStmt)];
    case "ExplainStmt": {
      const s = body as ExplainStmt;
      // EXPLAIN ANALYZE runs the statement it explains.
      const analyze = (s.options ?? []).some((o) => (unwrap(o)[1] as DefElem).defname === "analyze");
      if (analyze && s.query !== undefined) return classifyNode(s.query);
      return [{ category: "neutral", what: "EXPLAIN" }];
    }
    case "GrantStmt":
    case "GrantRoleStmt": {
      const grant = (body as GrantStmt).is_grant === true;
      return grant
        ? [{ category: "additive", what: "GRANT" }]
        : [{ category: "contractive", what: "REVOKE", effect: "takes privileges away from the old release" }];
    }
    default:
      return [
        {
          category: "unknown",
          what: tag
            .replace(/Stmt$/, "")
            .replace(/([a-z])([A-Z])/g, "$1 $2")
            .toUpperCase(),
        },
      ];
  }
}

function select(s: SelectStmt): Change {
  if (s.intoClause !== undefined) {
    const into = s.intoClause.rel;
    if (into?.relpersistence === TEMP) return { category: "neutral", what: `SELECT INTO (temporary) ${rel(into)}` };
    return { category: "additive", what: `SELECT INTO ${rel(into)}` };
  }
  const ctes = s.withClause?.ctes ?? [];
  for (const cte of ctes) {
    const query = (unwrap(cte)[1] as { ctequery?: Node }).ctequery;
    const [tag] = unwrap(query);
    if (["InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"].includes(tag)) {
      return { category: "data", what: `WITH … ${tag.replace("Stmt", "").toUpperCase()}` };
    }
  }
  const changesSequence = functionNames(s).find((f) => f === "setval" || f === "nextval");
  if (changesSequence !== undefined) return { category: "data", what: `SELECT ${changesSequence}(…)` };
  return { category: "neutral", what: "SELECT" };
}

/** The names of every function a node calls, at any depth. */
function functionNames(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) functionNames(item, out);
  } else if (typeof value === "object" && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      if (key === "FuncCall") out.push(callName((child as { funcname?: Node[] }).funcname));
      functionNames(child, out);
    }
  }
  return out;
}

/** `f`, or `schema.f` for a call qualified with a schema other than pg_catalog (never a known built-in). */
function callName(names: readonly Node[] | undefined): string {
  const parts = (names ?? []).map((n) => sval(n).toLowerCase());
  if (parts.length > 1 && parts[0] !== "pg_catalog") return parts.join(".");
  return parts[parts.length - 1] ?? "";
}

function dropStatement(s: DropStmt): Change {
  const what = noun(s.removeType);
  const names = (s.objects ?? []).map(objectName);
  const base: Change = {
    category: "contractive",
    what: `DROP ${what} ${names.join(", ")}`.trimEnd(),
    effect: `removes ${names.length > 1 ? `${what.toLowerCase()}s` : article(what.toLowerCase())} the old release may still use`,
  };
  if (s.removeType === "OBJECT_TRIGGER") {
    const dropped = (s.objects ?? []).map((o) => {
      const items = (unwrap(o)[1].items ?? []) as Node[];
      return { name: sval(items[items.length - 1]), table: sval(items[items.length - 2]) };
    });
    return { ...base, triggers: { dropped } };
  }
  if (s.removeType === "OBJECT_TABLE") return { ...base, triggers: { droppedTables: names } };
  return base;
}

function alterDomain(s: AlterDomainStmt): Change {
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

function alterTable(s: AlterTableStmt): Change[] {
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
  if (constraints.some((c) => c.contype === "CONSTR_CHECK")) {
    return { category: "contractive", what: `${head} ADD COLUMN ${column} … CHECK`, effect: CHECK_EFFECT };
  }
  if (notNull && !filled) {
    return {
      category: "breaking",
      what: `${head} ADD COLUMN ${column} NOT NULL without a default`,
      effect: NOT_NULL_WITHOUT_DEFAULT,
    };
  }
  return { category: "additive", what: `${head} ADD COLUMN ${column}` };
}
