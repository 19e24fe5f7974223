/**
 * `diff` and `revision --autogenerate` (SPEC §11), on the Workspace: the
 * project, the configuration and the database session. The comparison itself lives in src/autogen/.
 *
 * Both only read the target database. Autogenerate refuses to run unless
 * every revision of the repository is applied (else it would write the
 * pending revisions' changes a second time), and writes nothing when there
 * are no differences (unless asked for an empty revision).
 */
import type { ResolvedConfig } from "../config/types.js";
import { ConfigError, UsageError } from "../errors.js";
import { planUpgrade } from "../graph/planner.js";
import { PHASES } from "../graph/revision.js";
import { LOG_TABLE } from "../runtime/log-store.js";
import { downgradeOps, upgradeOps } from "../autogen/change.js";
import { renderTsBody, SqlBodyRenderer } from "../autogen/render-body.js";
import { bodyTexts, revisionBodies } from "../autogen/revision-bodies.js";
import { diffSchemas, type SchemaDiff } from "../autogen/schema-diff.js";
import { destructiveChanges, plainBodies } from "../autogen/script-steps.js";
import { groupRows } from "../graph/phase-plan.js";
import { revisionFile } from "../graph/revision.js";
import type { RepositoryHandle } from "./project.js";
import { writeNewRevision } from "./scaffolding.js";
import type { AutogenerateOptions, AutogenerateResult, DiffOptions, DiffResult, SchemaChanges } from "./types.js";
import type { Workspace } from "./workspace.js";

function schemaPathOf(repository: RepositoryHandle): string {
  const schema = repository.config.schema;
  if (schema === undefined) {
    throw new ConfigError(
      `Repository ${repository.config.name} has no declared schema: set \`schema\` in the config (the default repository's), ` +
        `or \`repositories.${repository.config.name}.schema\`, to a schema module, a .sql file or a folder of them.`,
      { fields: { repository: repository.config.name } },
    );
  }
  return schema;
}

function tidemarkTables(config: ResolvedConfig): string[] {
  return [...new Set([config.versionTable, ...config.repositories.map((repository) => repository.versionTable), LOG_TABLE])];
}

async function compare(workspace: Workspace, repository: RepositoryHandle, rolling: boolean): Promise<SchemaDiff> {
  const { config } = workspace;
  const schemaPath = schemaPathOf(repository);
  const session = await workspace.session();
  const connection = session.databaseExists() ? await session.connect() : undefined;
  const dbSchema = session.options.dbSchema;
  return diffSchemas({
    dialect: session.dialect,
    url: workspace.url,
    connection,
    ...(dbSchema === undefined ? {} : { dbSchema }),
    schemaPath,
    ...(config.shadowUrl === undefined ? {} : { shadowUrl: config.shadowUrl }),
    tidemarkTables: tidemarkTables(config),
    otherSchemaPaths: [
      ...new Set(
        config.repositories
          .filter((other) => other.name !== repository.config.name && other.schema !== undefined && other.schema !== schemaPath)
          .map((other) => other.schema!),
      ),
    ],
    ignoreTables: config.ignoreTables,
    rolling,
  });
}

function summarize(repository: RepositoryHandle, diff: SchemaDiff): SchemaChanges {
  const { changes, warnings } = diff.comparison;
  return {
    repository: repository.config.name,
    schema: schemaPathOf(repository),
    changes: upgradeOps(changes),
    downgrade: downgradeOps(changes),
    warnings: warnings.map((warning) => warning.message),
    destructive: destructiveChanges(changes),
    differs: changes.length > 0 || warnings.some((warning) => warning.drift),
    script: renderTsBody(plainBodies(changes).upgrade ?? []),
  };
}

/** The ops that would bring the database to the declared schema; changes nothing. */
export async function diffDatabase(workspace: Workspace, options: DiffOptions = {}): Promise<DiffResult> {
  const [repository] = workspace.project.select(options.repo === undefined ? {} : { repo: options.repo });
  const diff = await compare(workspace, repository!, false);
  const result = summarize(repository!, diff);
  if (options.sql !== true) return result;
  const session = await workspace.session();
  const sql = new SqlBodyRenderer(session.dialect, diff.live.tables, session.options.dbSchema).body(
    plainBodies(diff.comparison.changes).upgrade ?? [],
  );
  return { ...result, sql };
}

/** Revisions of the repository that the database has not applied (in any phase, for a rolling one). */
async function pendingRevisions(workspace: Workspace, repository: RepositoryHandle): Promise<string[]> {
  const session = await workspace.session();
  const rows = groupRows(await session.versionRows(repository.config.versionTable, repository.config.id));
  const heads = repository.map.heads();
  const pending = new Set<string>();
  for (const phase of repository.rolling ? PHASES : [""]) {
    for (const step of planUpgrade(repository.map, rows.get(phase) ?? [], heads)) pending.add(step.revision);
  }
  return repository.map.revisions.filter((revision) => pending.has(revision.id)).map((revision) => revision.id);
}

/** A repository whose scripts are all SQL gets SQL scripts. */
function writesSql(workspace: Workspace, repository: RepositoryHandle, options: AutogenerateOptions): boolean {
  if (options.sql === true) return true;
  const files = repository.map.revisions.map((revision) => revisionFile(revision) ?? "");
  if (files.length > 0) return files.every((file) => file.endsWith(".sql"));
  return workspace.config.language === "sql";
}

/** The checks `writeNewRevision` makes, made before the database is opened. */
function checkWritable(repository: RepositoryHandle, options: AutogenerateOptions): void {
  if (repository.scan.layout === "keystone") {
    throw new UsageError(
      `Repository ${repository.config.name} uses the keystone three-folder layout; autogenerate writes single-file revisions only.`,
    );
  }
  const heads = repository.map.heads();
  if (options.head === undefined && heads.length > 1) {
    throw new UsageError(
      `Repository ${repository.config.name} has several heads (${heads.join(", ")}): merge them first (\`tidemark merge\`), or say which one the new revision builds on with --head.`,
    );
  }
}

export async function autogenerateRevision(
  workspace: Workspace,
  message: string,
  options: AutogenerateOptions = {},
): Promise<AutogenerateResult> {
  const [repository] = workspace.project.select(options.repo === undefined ? {} : { repo: options.repo });
  const handle = repository!;
  checkWritable(handle, options);
  schemaPathOf(handle);
  const pending = await pendingRevisions(workspace, handle);
  if (pending.length > 0) {
    const shown = pending.slice(0, 10).map((id) => `${id} (${handle.map.fileOf(id)})`);
    throw new UsageError(
      `The database is not at head of repository ${handle.config.name}: ${pending.length} revision${pending.length === 1 ? " is" : "s are"} not applied: ` +
        `${shown.join(", ")}${pending.length > 10 ? ", …" : ""}. Run \`tidemark upgrade\` first: autogenerate compares the schema with what the scripts have made, and would write their changes a second time.`,
      { fields: { repository: handle.config.name, pending } },
    );
  }
  const rolling = options.rolling ?? handle.rolling;
  const diff = await compare(workspace, handle, rolling);
  const result = summarize(handle, diff);
  if (diff.comparison.changes.length === 0 && options.allowEmpty !== true) return result;

  const session = await workspace.session();
  const language = writesSql(workspace, handle, options) ? "sql" : "ts";
  const dbSchema = session.options.dbSchema;
  const bodyOptions = {
    rolling,
    language,
    dialect: session.dialect,
    liveTables: diff.live.tables,
    declared: diff.declared,
    ...(dbSchema === undefined ? {} : { dbSchema }),
  } as const;
  const bodyText = bodyTexts(revisionBodies(diff.comparison.changes, bodyOptions), bodyOptions);
  const written = writeNewRevision(handle, {
    message,
    language,
    rolling,
    bodyText,
    ...(options.head === undefined ? {} : { head: options.head }),
    ...(options.branchLabel === undefined ? {} : { branchLabel: options.branchLabel }),
    ...(options.dependsOn === undefined ? {} : { dependsOn: options.dependsOn }),
  });
  return { ...result, written };
}
