/**
 * Classifies PostgreSQL statements with PostgreSQL's own parser
 * (libpg-query, WebAssembly). The module is loaded on first need only, so
 * that nothing pays for it unless a rolling repository runs on PostgreSQL.
 * This file is the per-statement switch; ALTER TABLE's subcommands are
 * judged in classify-postgres-alter.ts, the tag tables are in
 * classify-postgres-tags.ts.
 */
import type {
  AlterDomainStmt,
  AlterEnumStmt,
  AlterSeqStmt,
  AlterTableStmt,
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
  RangeVar,
  RenameStmt,
  SelectStmt,
  ViewStmt,
} from "libpg-query";
import type { Change } from "./classification.js";
import { messageOf } from "../errors.js";
import { parsePg, pgParserLoaded } from "../sql/pg-parser.js";
import { TRANSACTION_EFFECT } from "./classification.js";
import { CALL_EFFECT, isSafeFunction, SEQUENCE_WRITERS } from "./function-calls.js";
import { postgresSetting } from "./session-settings.js";
import { ADDITIVE_TAGS, CONTRACTIVE_TAGS, NEUTRAL_TAGS, OPAQUE_TAGS } from "./classify-postgres-tags.js";
import { alterDomain, alterTable } from "./classify-postgres-alter.js";
import { article, functionNames, lastName, noun, objectName, rel, sval, TEMP, unwrap } from "./classify-postgres-nodes.js";

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
