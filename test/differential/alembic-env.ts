/**
 * One revision graph written twice: as a throwaway Alembic environment
 * (alembic.ini, env.py, versions/*.py) and as a tidemark project (SQL
 * scripts), with the same ids, parents, dependencies and labels. Every
 * upgrade creates a table m_<id> and every downgrade drops it, so the tables
 * of a database say which revisions are applied.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { writeFiles } from "../helpers/project.js";

export interface GraphRevision {
  readonly id: string;
  readonly parents: readonly string[];
  readonly dependsOn?: readonly string[];
  readonly labels?: readonly string[];
}

export const PYTHON = "/usr/bin/python3";
const DRIVER = fileURLToPath(new URL("./alembic-driver.py", import.meta.url));

const ENV_PY = `
from alembic import context
from sqlalchemy import create_engine

config = context.config


def record(ctx, step, heads, run_args):
    steps = config.attributes.get("record")
    if steps is None:
        return
    if step.is_stamp:
        direction = "stamp"
        revision = ",".join(step.destination_revision_ids)
    else:
        direction = "up" if step.is_upgrade else "down"
        revision = step.up_revision_id
    steps.append([revision, direction, sorted(heads)])


url = config.get_main_option("sqlalchemy.url")
if context.is_offline_mode():
    context.configure(url=url, literal_binds=True, on_version_apply=record)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, on_version_apply=record)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
`;

function pyTuple(values: readonly string[] | undefined): string {
  if (values === undefined || values.length === 0) return "None";
  return `(${values.map((v) => JSON.stringify(v)).join(", ")},)`;
}

function alembicScript(revision: GraphRevision): string {
  const down =
    revision.parents.length === 0
      ? "None"
      : revision.parents.length === 1
        ? JSON.stringify(revision.parents[0])
        : pyTuple(revision.parents);
  return [
    "from alembic import op",
    "import sqlalchemy as sa",
    `revision = ${JSON.stringify(revision.id)}`,
    `down_revision = ${down}`,
    `branch_labels = ${pyTuple(revision.labels)}`,
    `depends_on = ${pyTuple(revision.dependsOn)}`,
    "",
    "def upgrade():",
    `    op.create_table("m_${revision.id}", sa.Column("id", sa.Integer, primary_key=True))`,
    "",
    "def downgrade():",
    `    op.drop_table("m_${revision.id}")`,
    "",
  ].join("\n");
}

function tidemarkScript(revision: GraphRevision): string {
  return [
    `-- revision: ${revision.id}`,
    ...(revision.parents.length === 0 ? [] : [`-- revises: ${revision.parents.join(", ")}`]),
    `-- message: m ${revision.id}`,
    ...(revision.dependsOn?.length ? [`-- depends-on: ${revision.dependsOn.join(", ")}`] : []),
    ...(revision.labels?.length ? [`-- branch-labels: ${revision.labels.join(", ")}`] : []),
    "-- +upgrade",
    `CREATE TABLE m_${revision.id} (id INTEGER PRIMARY KEY);`,
    "-- +downgrade",
    `DROP TABLE m_${revision.id};`,
    "",
  ].join("\n");
}

/** Writes `<dir>/alembic` (an Alembic environment) and `<dir>/migrations` (tidemark scripts). */
export function writeGraph(dir: string, revisions: readonly GraphRevision[]): { readonly alembicDir: string } {
  const files: Record<string, string> = {
    "alembic/env.py": ENV_PY,
    "alembic/script.py.mako": "",
    "alembic.ini": "[alembic]\nscript_location = alembic\n",
  };
  for (const revision of revisions) {
    files[`alembic/versions/${revision.id}_m.py`] = alembicScript(revision);
    files[`migrations/${revision.id}_m.sql`] = tidemarkScript(revision);
  }
  writeFiles(dir, files);
  return { alembicDir: join(dir, "alembic") };
}

export interface AlembicCommand {
  readonly op: "upgrade" | "downgrade" | "stamp" | "history" | "current";
  readonly arg?: string;
  readonly sql?: boolean;
  readonly purge?: boolean;
}

export interface AlembicResult {
  readonly ok: boolean;
  readonly error?: string;
  /** [revision, direction, version rows after the step]. */
  readonly steps: readonly (readonly [string, "up" | "down" | "stamp", readonly string[]])[];
  readonly rows: readonly string[];
  readonly tables: readonly string[];
  readonly lines?: readonly string[];
}

/** Runs every sequence through Alembic, each from an empty database at `url`. */
export function runAlembic(
  alembicDir: string,
  url: string,
  sequences: readonly (readonly AlembicCommand[])[],
): Promise<AlembicResult[][]> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [DRIVER], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`alembic driver exited ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout) as AlembicResult[][]);
    });
    child.stdin.end(JSON.stringify({ env: alembicDir, url, sequences }));
  });
}
