/**
 * `stamp --from-alembic`: moves a database that Alembic manages to tidemark
 * without running anything. Alembic keeps one row per applied head in
 * `alembic_version`, a revision another applied revision depends on being
 * carried by that revision's row; tidemark's version rows follow the same
 * rule (graph/planner.ts), so the rows carry over as they are once every id
 * is checked against the scripts. `alembic_version` is only read: Alembic
 * can still be pointed at the database until the move is final.
 */
import { TargetError, UsageError } from "../errors.js";
import type { Connection } from "../dialects/dialect.js";
import { appliedClosure } from "../graph/planner.js";
import { groupRows, placeholderRevision } from "../graph/phase-plan.js";
import { onlineRunner } from "./online-runner.js";
import type { RepositoryHandle } from "./project.js";
import type { Workspace } from "./workspace.js";
import type { AdoptAlembicOptions, RunResult } from "./types.js";

export const DEFAULT_ALEMBIC_TABLE = "alembic_version";

export async function adoptAlembic(workspace: Workspace, options: AdoptAlembicOptions = {}): Promise<RunResult> {
  const repository = oneRepository(workspace, options);
  if (repository.rolling) {
    throw new UsageError(
      `Repository ${repository.config.name} is a rolling one, and an Alembic database has no expand/migrate/contract ` +
        "phases to adopt; adopt it into a plain repository.",
    );
  }
  const session = await workspace.session();
  const { schema, table } = alembicTable(options.alembicTable ?? DEFAULT_ALEMBIC_TABLE, session.options.dbSchema);
  if (!session.databaseExists()) throw noAlembicTable(table, repository);
  const connection = await session.connect();
  const lock = await session.lock();
  try {
    if (!(await session.dialect.introspector.tableExists(connection, table, schema))) throw noAlembicTable(table, repository);
    const rows = await readAlembicRows(
      connection,
      session.dialect.compiler.quoteTable(table, schema),
      session.dialect.compiler.quoteIdentifier("version_num"),
    );
    const { config, map } = repository;
    const unknown = rows.filter((id) => !map.has(id));
    if (unknown.length > 0) {
      throw new TargetError(
        `${table} records ${unknown.join(", ")}, which no script of repository ${config.name} declares; ` +
          "copy the Alembic revisions into tidemark scripts with the same ids first. Nothing was written.",
        { fields: { repository: config.name, unknown } },
      );
    }
    appliedClosure(map, rows);
    const before = await session.versionRows(config.versionTable, config.id);
    const current = groupRows(before).get("") ?? [];
    const after = map.sortById(new Set(rows));
    const same = current.length === after.length && current.every((id) => after.includes(id));
    if (before.length > 0 && !same && options.purge !== true) {
      throw new UsageError(
        `Repository ${config.name} already has version rows (${current.join(", ") || "in other phases"}) that differ from ` +
          `${table} (${after.join(", ") || "empty"}); add --purge to replace them. Nothing was written.`,
      );
    }
    if (!same) {
      const store = session.versionStore(config.versionTable);
      const runner = onlineRunner(workspace, session, connection, {
        singleTransaction: false,
        ensureTables: await session.missingTableStatements([config.versionTable]),
      });
      const revision = map.get(after[0] ?? "") ?? placeholderRevision("base");
      await runner.stamp(
        {
          repository: config.name,
          repositoryId: config.id,
          store,
          revision,
          phase: "",
          direction: "stamp",
          checksum: null,
          changes: [{ phase: "", before: options.purge === true ? [] : current, after }],
        },
        options.purge === true ? [store.purgeStatement(config.id)] : [],
      );
      session.forgetTables();
    }
    const written = await session.versionRows(config.versionTable, config.id);
    return { repositories: [{ repository: config.name, before, after: written, steps: [] }] };
  } finally {
    await lock.release();
  }
}

function oneRepository(workspace: Workspace, options: AdoptAlembicOptions): RepositoryHandle {
  if (options.all === true) {
    throw new UsageError(
      "stamp --from-alembic adopts one repository (an Alembic version table holds one graph); name it with --repo.",
    );
  }
  const [repository] = workspace.selectForChange(options);
  return repository!;
}

/** `[SCHEMA.]TABLE`; without a schema, tidemark's own (`--schema`), else the connection's default. */
function alembicTable(text: string, dbSchema: string | undefined): { schema: string | undefined; table: string } {
  const match = /^(?:([A-Za-z_][\w$]*)\.)?([A-Za-z_][\w$]*)$/.exec(text);
  if (match === null) throw new UsageError(`--alembic-table takes [SCHEMA.]TABLE, not "${text}".`);
  return { schema: match[1] ?? dbSchema, table: match[2]! };
}

async function readAlembicRows(connection: Connection, table: string, column: string): Promise<string[]> {
  const rows = await connection.query(`SELECT ${column} FROM ${table}`);
  return rows.map((row) => String(row["version_num"] ?? Object.values(row)[0]));
}

function noAlembicTable(table: string, repository: RepositoryHandle): UsageError {
  return new UsageError(
    `The database has no table ${table}, so there is no Alembic state to adopt for repository ${repository.config.name} ` +
      "(name another table with --alembic-table). Nothing was written.",
  );
}
