/**
 * `diff` and `revision --autogenerate` (SPEC §11) as functions of what they
 * need from an opened Tidemark: the project, the configuration and the
 * database session. The comparison itself lives in src/autogen/.
 *
 * Both only read the target database. Autogenerate refuses to run unless
 * every revision of the repository is applied (else it would write the
 * pending revisions' changes a second time), and writes nothing when there
 * are no differences (unless asked for an empty revision).
 */
import type { Op } from "../ops/op.js";
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
import { groupRows } from "./plan.js";
import type { RepositoryHandle } from "./project.js";
import { writeNewRevision, type WrittenRevision } from "./scaffolding.js";
import type { Tidemark } from "./tidemark.js";

export interface DiffOptions {
  /** The repository whose schema is compared (default: the default repository). */
  readonly repo?: string;
  /** Also render the upgrade as the dialect's SQL (`result.sql`). */
  readonly sql?: boolean;
}

export interface SchemaChanges {
  readonly repository: string;
  /** The declared schema's path. */
  readonly schema: string;
  /** The ops that turn the database into the declared schema, in order. */
  readonly changes: readonly Op[];
  /** Their inverse, in order. */
  readonly downgrade: readonly Op[];
  readonly warnings: readonly string[];
  /** What the destructive changes destroy, in words. */
  readonly destructive: readonly string[];
  /** There are changes, or differences no op fixes (see warnings). */
  readonly differs: boolean;
  /** The upgrade as TypeScript op calls. */
  readonly script: string;
}

export interface DiffResult extends SchemaChanges {
  /** The upgrade as SQL, when `sql` was asked for. */
  readonly sql?: string;
}

export interface AutogenerateOptions {
  readonly repo?: string;
  /** Write a `.sql` script (default: `.sql` in a repository of SQL scripts, else the config's language, else `.ts`). */
  readonly sql?: boolean;
  /** Write expand/migrate/contract bodies (default: the repository's kind). */
  readonly rolling?: boolean;
  /** Write a revision even when nothing differs. */
  readonly allowEmpty?: boolean;
  readonly head?: string;
  readonly branchLabel?: string;
  readonly dependsOn?: readonly string[];
}

export interface AutogenerateResult extends SchemaChanges {
  /** The script written; undefined when nothing differed ("no changes detected"). */
  readonly written?: WrittenRevision;
}

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

async function compare(tidemark: Tidemark, repository: RepositoryHandle, rolling: boolean): Promise<SchemaDiff> {
  const { config } = tidemark;
  const schemaPath = schemaPathOf(repository);
  const session = await tidemark.session();
  const connection = session.databaseExists() ? await session.connect() : undefined;
  const dbSchema = tidemark.dbSchema;
  return diffSchemas({
    dialect: session.dialect,
    url: tidemark.url,
    connection,
    ...(dbSchema === undefined ? {} : { dbSchema }),
    schemaPath,
    ...(config.shadowUrl === undefined ? {} : { shadowUrl: config.shadowUrl }),
    tidemarkTables: tidemarkTables(config),
    otherSchemaPaths: [
      ...new Set(config.repositories.filter((other) => other.name !== repository.config.name && other.schema !== undefined && other.schema !== schemaPath).map((other) => other.schema!)),
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
export async function diffDatabase(tidemark: Tidemark, options: DiffOptions = {}): Promise<DiffResult> {
  const [repository] = tidemark.project.select(options.repo === undefined ? {} : { repo: options.repo });
  const diff = await compare(tidemark, repository!, false);
  const result = summarize(repository!, diff);
  if (options.sql !== true) return result;
  const session = await tidemark.session();
  const sql = new SqlBodyRenderer(session.dialect, diff.live.tables, tidemark.dbSchema).body(plainBodies(diff.comparison.changes).upgrade ?? []);
  return { ...result, sql };
}

/** Revisions of the repository that the database has not applied (in any phase, for a rolling one). */
async function pendingRevisions(tidemark: Tidemark, repository: RepositoryHandle): Promise<string[]> {
  const session = await tidemark.session();
  const rows = groupRows(await session.versionRows(repository.config.versionTable, repository.config.id));
  const heads = repository.map.heads();
  const pending = new Set<string>();
  for (const phase of repository.rolling ? PHASES : [""]) {
    for (const step of planUpgrade(repository.map, rows.get(phase) ?? [], heads)) pending.add(step.revision);
  }
  return repository.map.revisions.filter((revision) => pending.has(revision.id)).map((revision) => revision.id);
}

/** A repository whose scripts are all SQL gets SQL scripts. */
function writesSql(tidemark: Tidemark, repository: RepositoryHandle, options: AutogenerateOptions): boolean {
  if (options.sql === true) return true;
  const files = repository.map.revisions.map((revision) => revision.files.main ?? revision.files.expand ?? "");
  if (files.length > 0) return files.every((file) => file.endsWith(".sql"));
  return tidemark.config.language === "sql";
}

/** The checks `writeNewRevision` makes, made before the database is opened. */
function checkWritable(repository: RepositoryHandle, options: AutogenerateOptions): void {
  if (repository.scan.layout === "keystone") {
    throw new UsageError(`Repository ${repository.config.name} uses the keystone three-folder layout; autogenerate writes single-file revisions only.`);
  }
  const heads = repository.map.heads();
  if (options.head === undefined && heads.length > 1) {
    throw new UsageError(`Repository ${repository.config.name} has several heads (${heads.join(", ")}): merge them first (\`tidemark merge\`), or say which one the new revision builds on with --head.`);
  }
}

export async function autogenerateRevision(tidemark: Tidemark, message: string, options: AutogenerateOptions = {}): Promise<AutogenerateResult> {
  const [repository] = tidemark.project.select(options.repo === undefined ? {} : { repo: options.repo });
  const handle = repository!;
  checkWritable(handle, options);
  schemaPathOf(handle);
  const pending = await pendingRevisions(tidemark, handle);
  if (pending.length > 0) {
    const shown = pending.slice(0, 10).map((id) => `${id} (${handle.map.fileOf(id)})`);
    throw new UsageError(
      `The database is not at head of repository ${handle.config.name}: ${pending.length} revision${pending.length === 1 ? " is" : "s are"} not applied: ` +
        `${shown.join(", ")}${pending.length > 10 ? ", …" : ""}. Run \`tidemark upgrade\` first: autogenerate compares the schema with what the scripts have made, and would write their changes a second time.`,
      { fields: { repository: handle.config.name, pending } },
    );
  }
  const rolling = options.rolling ?? handle.rolling;
  const diff = await compare(tidemark, handle, rolling);
  const result = summarize(handle, diff);
  if (diff.comparison.changes.length === 0 && options.allowEmpty !== true) return result;

  const session = await tidemark.session();
  const language = writesSql(tidemark, handle, options) ? "sql" : "ts";
  const dbSchema = tidemark.dbSchema;
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
