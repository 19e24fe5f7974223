/**
 * PostgreSQL statements → lock facts, read from PostgreSQL's own parse tree
 * (libpg-query): CONCURRENTLY, NOT VALID, USING INDEX and the subcommands of
 * ALTER TABLE are fields of the tree, not guesses from words. Await
 * `loadPgParser()` once before the first call.
 */
import { parsePg } from "../sql/pg-parser.js";
import { tokenize } from "../sql/tokens.js";
import { rel, sval, unwrap } from "../phases/classify-postgres-nodes.js";
import { TERMINATE_PATTERN, type LockFact } from "./facts.js";

type Tree = Record<string, unknown>;

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Functions that give every row its own value: a default calling one rewrites the table. */
const VOLATILE = new Set([
  "random",
  "clock_timestamp",
  "timeofday",
  "gen_random_uuid",
  "uuid_generate_v1",
  "uuid_generate_v1mc",
  "uuid_generate_v4",
  "uuidv4",
  "uuidv7",
  "nextval",
  "random_normal",
  "txid_current",
  "pg_current_xact_id",
]);

/** Stable or immutable built-ins often used as defaults: evaluated once, no rewrite. */
const STABLE = new Set([
  "now",
  "transaction_timestamp",
  "statement_timestamp",
  "current_setting",
  "lower",
  "upper",
  "coalesce",
  "to_timestamp",
  "to_date",
  "make_interval",
  "jsonb_build_object",
  "json_build_object",
  "jsonb_build_array",
  "json_build_array",
  "array_fill",
]);

/** The first function call in an expression that makes it volatile (or of unknown volatility). */
function volatileCall(expr: unknown): string | undefined {
  let found: string | undefined;
  const visit = (node: unknown): void => {
    if (found !== undefined || typeof node !== "object" || node === null) return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    const [tag, body] = unwrap(node);
    if (tag === "FuncCall") {
      const names = list(body.funcname).map(sval);
      const name = (names[names.length - 1] ?? "").toLowerCase();
      if (VOLATILE.has(name)) {
        found = `${name}()`;
        return;
      }
      if (!STABLE.has(name) && !(names.length === 2 && names[0] === "pg_catalog" && !VOLATILE.has(name))) {
        found = `${name}() (its volatility is unknown here)`;
        return;
      }
    }
    for (const value of Object.values(body)) visit(value);
  };
  visit(expr);
  return found;
}

const SERIAL_TYPES = new Set(["serial", "bigserial", "smallserial", "serial2", "serial4", "serial8"]);

function addColumn(table: string, def: Tree): LockFact {
  const column = String(def.colname ?? "");
  const typeNames = list((def.typeName as Tree | undefined)?.names).map(sval);
  const typeName = (typeNames[typeNames.length - 1] ?? "").toLowerCase();
  let volatile: string | undefined = SERIAL_TYPES.has(typeName) ? `a ${typeName} column (nextval() per row)` : undefined;
  for (const constraint of list(def.constraints)) {
    const [, c] = unwrap(constraint);
    if (volatile !== undefined) break;
    if (c.contype === "CONSTR_DEFAULT") {
      const call = volatileCall(c.raw_expr);
      if (call !== undefined) volatile = `DEFAULT ${call}`;
    } else if (c.contype === "CONSTR_IDENTITY") volatile = "an identity column (a sequence value per row)";
    else if (c.contype === "CONSTR_GENERATED") volatile = "a stored generated column (computed for every row)";
  }
  return { kind: "add-column", table, column, ...(volatile === undefined ? {} : { volatile }) };
}

function notNullColumn(expr: unknown): string | undefined {
  const [tag, body] = unwrap(expr);
  if (tag !== "NullTest" || body.nulltesttype !== "IS_NOT_NULL") return undefined;
  const [argTag, arg] = unwrap(body.arg);
  if (argTag !== "ColumnRef") return undefined;
  const fields = list(arg.fields).map(sval);
  return fields[fields.length - 1] || undefined;
}

function addConstraint(table: string, c: Tree): LockFact[] {
  const name = typeof c.conname === "string" ? c.conname : undefined;
  const keys = list(c.keys).map(sval);
  switch (c.contype) {
    case "CONSTR_FOREIGN":
    case "CONSTR_CHECK": {
      const what = c.contype === "CONSTR_FOREIGN" ? "FOREIGN KEY" : "CHECK";
      const column = what === "CHECK" ? notNullColumn(c.raw_expr) : undefined;
      return [
        {
          kind: "add-constraint",
          table,
          what,
          notValid: c.skip_validation === true,
          ...(name === undefined ? {} : { name }),
          ...(column === undefined ? {} : { notNullColumn: column }),
        },
      ];
    }
    case "CONSTR_UNIQUE":
    case "CONSTR_PRIMARY":
    case "CONSTR_EXCLUSION": {
      if (typeof c.indexname === "string" && c.indexname !== "") {
        return [{ kind: "create-index", table, unique: true, columns: keys, online: true }];
      }
      const what = c.contype === "CONSTR_UNIQUE" ? "UNIQUE" : c.contype === "CONSTR_PRIMARY" ? "PRIMARY KEY" : "EXCLUDE";
      return [{ kind: "constraint-index", table, what, unique: what !== "EXCLUDE", columns: keys }];
    }
    default:
      return [];
  }
}

function alterTable(body: Tree): LockFact[] {
  if (body.objtype !== undefined && body.objtype !== "OBJECT_TABLE") return [];
  const table = rel(body.relation);
  const facts: LockFact[] = [];
  for (const cmdNode of list(body.cmds)) {
    const [, cmd] = unwrap(cmdNode);
    const [defTag, def] = unwrap(cmd.def);
    const column = String(cmd.name ?? "");
    switch (cmd.subtype) {
      case "AT_AddColumn":
        if (defTag === "ColumnDef") facts.push(addColumn(table, def));
        break;
      case "AT_AddConstraint":
        if (defTag === "Constraint") facts.push(...addConstraint(table, def));
        break;
      case "AT_ValidateConstraint":
        facts.push({ kind: "validate-constraint", table, name: column });
        break;
      case "AT_SetNotNull":
        facts.push({ kind: "set-not-null", table, column });
        break;
      case "AT_AlterColumnType": {
        const names = list((def.typeName as Tree | undefined)?.names).map(sval);
        facts.push({ kind: "change-type", table, column, what: `ALTER COLUMN ${column} TYPE ${names[names.length - 1] ?? ""}` });
        break;
      }
      case "AT_SetLogged":
      case "AT_SetUnLogged":
        facts.push({ kind: "set-logged", table, logged: cmd.subtype === "AT_SetLogged" });
        break;
    }
  }
  return facts;
}

function statementFacts(node: unknown): LockFact[] {
  const [tag, body] = unwrap(node);
  switch (tag) {
    case "CreateStmt":
      return [{ kind: "create-table", table: rel(body.relation) }];
    case "CreateTableAsStmt":
      return [{ kind: "create-table", table: rel((body.into as Tree | undefined)?.rel) }];
    case "DropStmt":
      if (body.removeType === "OBJECT_INDEX") {
        return list(body.objects).map((object) => {
          const names = list(unwrap(object)[1].items).map(sval);
          return { kind: "drop-index", name: names[names.length - 1] ?? "", online: body.concurrent === true } satisfies LockFact;
        });
      }
      if (body.removeType !== "OBJECT_TABLE") return [];
      return list(body.objects).map((object) => {
        const names = list(unwrap(object)[1].items).map(sval);
        return { kind: "drop-table", table: names[names.length - 1] ?? "" } satisfies LockFact;
      });
    case "RenameStmt":
      return body.renameType === "OBJECT_TABLE"
        ? [{ kind: "rename-table", table: rel(body.relation), to: String(body.newname ?? "") }]
        : [];
    case "IndexStmt": {
      const name = typeof body.idxname === "string" ? { name: body.idxname } : {};
      const columns = list(body.indexParams)
        .map((param) => unwrap(param)[1].name)
        .filter((name): name is string => typeof name === "string");
      return [
        {
          kind: "create-index",
          table: rel(body.relation),
          unique: body.unique === true,
          columns,
          online: body.concurrent === true,
          ...name,
        },
      ];
    }
    case "AlterTableStmt":
      return alterTable(body);
    case "ReindexStmt": {
      const online = list(body.params).some((param) => unwrap(param)[1].defname === "concurrently");
      const what = String(body.kind ?? "").replace(/^REINDEX_OBJECT_/, "");
      const name = rel(body.relation) || String(body.name ?? "");
      return [{ kind: "reindex", target: `${what} ${name}`.trim(), online }];
    }
    case "RefreshMatViewStmt":
      return [{ kind: "refresh-view", table: rel(body.relation), online: body.concurrent === true }];
    case "LockStmt":
      return [{ kind: "lock-table", tables: list(body.relations).map((r) => rel(unwrap(r)[1])) }];
    case "ClusterStmt": {
      const table = rel(body.relation);
      return [table === "" ? { kind: "cluster" } : { kind: "cluster", table }];
    }
    case "VacuumStmt": {
      if (body.is_vacuumcmd !== true) return [];
      const full = list(body.options).some((option) => {
        const [, def] = unwrap(option);
        return def.defname === "full" && sval(def.arg) !== "false";
      });
      if (!full) return [];
      const table = rel(unwrap(list(body.rels)[0])[1].relation);
      return [table === "" ? { kind: "vacuum-full" } : { kind: "vacuum-full", table }];
    }
    default:
      return [];
  }
}

/** The lock facts of one statement's text (which may hold several statements). */
export function postgresFacts(sql: string): LockFact[] {
  let nodes: readonly unknown[];
  try {
    nodes = parsePg(sql);
  } catch {
    // The phase rules report what cannot be parsed; the lint has nothing to add.
    nodes = [];
  }
  const facts = nodes.flatMap(statementFacts);
  // Also inside DO blocks and function bodies (strings), never in comments.
  const code = tokenize(sql, "postgres")
    .map((token) => token.text)
    .join(" ");
  const terminate = TERMINATE_PATTERN.exec(code);
  if (terminate !== null) facts.push({ kind: "terminate-backend", what: `${terminate[1]?.toLowerCase()}()` });
  return facts;
}
