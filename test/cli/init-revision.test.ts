/** `init`, `revision` and `merge`: the files they write, and that those files run. */
import { afterAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, besideTarget } from "../helpers/cli.js";
import { makeProject, removeProjects } from "../helpers/project.js";
import { tableNames, versionRows, versions } from "./sqlite-state.js";

afterAll(removeProjects);

interface Written {
  readonly ok: true;
  readonly revision: { readonly repository: string; readonly id: string; readonly file: string; readonly parents: string[] };
}

async function ok(dir: string, ...args: string[]): Promise<string> {
  const result = await runCli(args, { cwd: dir });
  expect(besideTarget(result.stderr), `tidemark ${args.join(" ")}`).toBe("");
  expect(result.code, `tidemark ${args.join(" ")}`).toBe(0);
  return result.stdout;
}

async function revision(dir: string, ...args: string[]): Promise<Written["revision"]> {
  const document = JSON.parse(await ok(dir, "--json", "revision", ...args)) as Written;
  expect(document.ok).toBe(true);
  expect(existsSync(document.revision.file)).toBe(true);
  return document.revision;
}

const scripts = (dir: string) =>
  readdirSync(join(dir, "migrations"))
    .filter((name) => !name.startsWith("."))
    .sort();

describe("init", () => {
  it("writes a graph-scheme config and an empty repository, and creates no database", async () => {
    const dir = makeProject();
    const document = JSON.parse(await ok(dir, "init", "--json")) as { ok: boolean; config: string; repository: string };
    expect(document).toEqual({ ok: true, config: join(dir, "tidemark.config.json"), repository: join(dir, "migrations") });
    const config = JSON.parse(readFileSync(join(dir, "tidemark.config.json"), "utf8")) as {
      url: string;
      repositories: { core: { path: string; scheme: string; rolling?: boolean } };
    };
    expect(config.url).toBe("${DATABASE_URL:-sqlite:tidemark.db}");
    expect(config.repositories.core).toEqual({ path: "migrations", scheme: "graph" });
    expect(scripts(dir)).toEqual([]);
    expect(existsSync(join(dir, "tidemark.db"))).toBe(false);
    const heads = JSON.parse(await ok(dir, "heads", "--json")) as { repositories: { repository: string; heads: unknown[] }[] };
    expect(heads.repositories).toEqual([{ repository: "core", heads: [] }]);
  });

  it("init DIR writes into DIR; --scheme numbered and --rolling go into the config", async () => {
    const dir = makeProject();
    await ok(dir, "init", "app", "--scheme", "numbered", "--rolling");
    const config = JSON.parse(readFileSync(join(dir, "app", "tidemark.config.json"), "utf8")) as {
      repositories: { core: { scheme: string; rolling: boolean } };
    };
    expect(config.repositories.core).toEqual({ path: "migrations", scheme: "numbered", rolling: true });
    expect(existsSync(join(dir, "app", "migrations"))).toBe(true);
  });

  it("refuses to overwrite an existing config (exit 2)", async () => {
    const dir = makeProject({ "tidemark.config.json": '{"url":"sqlite:mine.db"}\n' });
    const result = await runCli(["init"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(join(dir, "tidemark.config.json"));
    expect(readFileSync(join(dir, "tidemark.config.json"), "utf8")).toBe('{"url":"sqlite:mine.db"}\n');
  });

  it("rejects an unknown --scheme (exit 2)", async () => {
    const dir = makeProject();
    const result = await runCli(["init", "--scheme", "dates"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("dates");
    expect(existsSync(join(dir, "tidemark.config.json"))).toBe(false);
  });
});

describe("revision (graph scheme)", () => {
  it("writes <date>_<time>_<12-hex id>_<slug>.ts files chained on the head, which upgrade runs", async () => {
    const dir = makeProject();
    await ok(dir, "init");
    const first = await revision(dir, "-m", "Create users table!");
    expect(first.id).toMatch(/^[0-9a-f]{12}$/);
    expect(first.parents).toEqual([]);
    expect(first.file.startsWith(join(dir, "migrations", "/"))).toBe(true);
    expect(first.file).toMatch(new RegExp(`/\\d{8}_\\d{4}_${first.id}_create_users_table\\.ts$`));
    const text = readFileSync(first.file, "utf8");
    expect(text).toContain(`export const revision = "${first.id}";`);
    expect(text).toContain("export const revises = null;");
    expect(text).toContain('export const message = "Create users table!";');
    expect(text).toMatch(/export async function upgrade\(op: Op\)/);
    expect(text).toMatch(/export async function downgrade\(op: Op\)/);

    const second = await revision(dir, "-m", "add email");
    expect(second.id).toMatch(/^[0-9a-f]{12}$/);
    expect(second.id).not.toBe(first.id);
    expect(second.parents).toEqual([first.id]);
    expect(readFileSync(second.file, "utf8")).toContain(`export const revises = "${first.id}";`);

    // Fill the first body in, as a user would, and run both.
    writeFileSync(
      first.file,
      text.replace(/upgrade\(op: Op\) \{\n/, 'upgrade(op: Op) {\n  await op.execute("CREATE TABLE users (id INTEGER)");\n'),
    );
    await ok(dir, "upgrade");
    expect(versions(join(dir, "tidemark.db"))).toEqual([second.id]);
    expect(tableNames(join(dir, "tidemark.db"))).toContain("users");
  });

  it("--sql writes a SQL script with the header of SPEC §2", async () => {
    const dir = makeProject();
    await ok(dir, "init");
    const first = await revision(dir, "-m", "one");
    const second = await revision(dir, "-m", "two", "--sql");
    expect(second.file).toMatch(new RegExp(`/migrations/\\d{8}_\\d{4}_${second.id}_two\\.sql$`));
    const text = readFileSync(second.file, "utf8");
    expect(text).toContain(`-- revision: ${second.id}\n-- revises: ${first.id}\n-- message: two\n`);
    expect(text).toMatch(/^-- \+upgrade$/m);
    expect(text).toMatch(/^-- \+downgrade$/m);
  });

  it("--head base starts a second root; --head PREFIX builds on that revision", async () => {
    const dir = makeProject();
    await ok(dir, "init");
    const first = await revision(dir, "-m", "one");
    const root = await revision(dir, "-m", "other root", "--head", "base");
    expect(root.parents).toEqual([]);
    const heads = JSON.parse(await ok(dir, "--json", "heads")) as { repositories: { heads: { id: string }[] }[] };
    expect(heads.repositories[0]?.heads.map((head) => head.id).sort()).toEqual([first.id, root.id].sort());

    // Several heads: a plain `revision` must be told which one to follow.
    const refused = await runCli(["revision", "-m", "where"], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(first.id);
    expect(refused.stderr).toContain(root.id);
    expect(refused.stderr).toContain("--head");

    const onFirst = await revision(dir, "-m", "on first", "--head", first.id.slice(0, 6));
    expect(onFirst.parents).toEqual([first.id]);
  });

  it("--branch-label and --depends-on are written to the script and used by targets", async () => {
    const dir = makeProject();
    await ok(dir, "init");
    const first = await revision(dir, "-m", "one");
    const other = await revision(dir, "-m", "feature root", "--head", "base", "--branch-label", "feature");
    expect(readFileSync(other.file, "utf8")).toContain('export const branchLabels = ["feature"];');
    const dependent = await revision(dir, "-m", "needs one", "--head", "feature@head", "--depends-on", first.id);
    expect(dependent.parents).toEqual([other.id]);
    expect(readFileSync(dependent.file, "utf8")).toContain(`export const dependsOn = ["${first.id}"];`);

    const shown = JSON.parse(await ok(dir, "--json", "show", dependent.id)) as {
      revision: { dependsOn: string[]; parents: string[] };
    };
    expect(shown.revision.dependsOn).toEqual([first.id]);
    expect(shown.revision.parents).toEqual([other.id]);

    // Upgrading the feature branch must apply its dependency first; as in Alembic,
    // the dependent's version row carries it, and `current` shows both.
    await ok(dir, "upgrade", "feature@head");
    expect(versions(join(dir, "tidemark.db"))).toEqual([dependent.id]);
    const current = JSON.parse(await ok(dir, "--json", "current")) as {
      repositories: { rows: { version: string; carried?: boolean }[] }[];
    };
    expect(current.repositories[0]!.rows.map((row) => [row.version, row.carried === true]).sort()).toEqual(
      [
        [first.id, true],
        [dependent.id, false],
      ].sort(),
    );
  });

  it("--depends-on an unknown revision is a usage error and writes nothing", async () => {
    const dir = makeProject();
    await ok(dir, "init");
    await revision(dir, "-m", "one");
    const before = scripts(dir);
    const result = await runCli(["revision", "-m", "two", "--depends-on", "ffffffffffff"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("ffffffffffff");
    expect(scripts(dir)).toEqual(before);
  });

  it("revision without -m is a usage error", async () => {
    const dir = makeProject();
    await ok(dir, "init");
    const result = await runCli(["revision"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--message/);
    expect(scripts(dir)).toEqual([]);
  });
});

describe("revision (numbered scheme)", () => {
  it("writes 001_, 002_ … scripts without an id, and upgrade records versions 1, 2", async () => {
    const dir = makeProject();
    await ok(dir, "init", "--scheme", "numbered");
    const one = await revision(dir, "-m", "create users");
    const two = await revision(dir, "-m", "add email", "--sql");
    expect(one.id).toBe("1");
    expect(two.id).toBe("2");
    expect(two.parents).toEqual(["1"]);
    expect(scripts(dir)).toEqual(["001_create_users.ts", "002_add_email.sql"]);
    expect(readFileSync(one.file, "utf8")).not.toContain("export const revision");
    expect(readFileSync(two.file, "utf8")).not.toContain("-- revision:");
    await ok(dir, "upgrade");
    expect(versions(join(dir, "tidemark.db"))).toEqual(["2"]);
  });

  it("refuses branch labels and a second root: a numbered repository is a line", async () => {
    const dir = makeProject();
    await ok(dir, "init", "--scheme", "numbered");
    await revision(dir, "-m", "one");
    const label = await runCli(["revision", "-m", "x", "--branch-label", "feature"], { cwd: dir });
    expect(label.code).toBe(2);
    const root = await runCli(["revision", "-m", "y", "--head", "base"], { cwd: dir });
    expect(root.code).toBe(2);
    expect(scripts(dir)).toEqual(["001_one.ts"]);
  });
});

describe("revision --rolling / init --rolling", () => {
  it("writes expand/migrate/contract bodies, and upgrade records each phase", async () => {
    const dir = makeProject();
    await ok(dir, "init", "--rolling");
    const written = await revision(dir, "-m", "rolling one");
    const text = readFileSync(written.file, "utf8");
    for (const phase of ["expand", "migrate", "contract"])
      expect(text).toMatch(new RegExp(`export async function ${phase}\\(op: \\w+\\)`));
    expect(text).not.toContain("function upgrade");
    await ok(dir, "upgrade");
    expect(versionRows(join(dir, "tidemark.db"))).toEqual([
      { phase: "contract", version: written.id },
      { phase: "expand", version: written.id },
      { phase: "migrate", version: written.id },
    ]);
  });
});

describe("merge", () => {
  it("writes a revision over every head (default) and leaves one head", async () => {
    const dir = makeProject();
    await ok(dir, "init");
    const first = await revision(dir, "-m", "one");
    const left = await revision(dir, "-m", "left");
    const right = await revision(dir, "-m", "right", "--head", first.id);
    const document = JSON.parse(await ok(dir, "--json", "merge", "-m", "join them")) as Written;
    expect(document.revision.parents.sort()).toEqual([left.id, right.id].sort());
    const text = readFileSync(document.revision.file, "utf8");
    expect(text).toMatch(/export const revises = \[".{12}", ".{12}"\];/);
    const heads = JSON.parse(await ok(dir, "--json", "heads")) as {
      repositories: { heads: { id: string; mergePoint: boolean }[] }[];
    };
    expect(heads.repositories[0]?.heads).toHaveLength(1);
    expect(heads.repositories[0]?.heads[0]?.id).toBe(document.revision.id);
    expect(heads.repositories[0]?.heads[0]?.mergePoint).toBe(true);
    await ok(dir, "upgrade", "head");
    expect(versions(join(dir, "tidemark.db"))).toEqual([document.revision.id]);
  });

  it("merges the named revisions (by prefix) and writes SQL with --sql", async () => {
    const dir = makeProject();
    await ok(dir, "init");
    const first = await revision(dir, "-m", "one");
    const left = await revision(dir, "-m", "left");
    const right = await revision(dir, "-m", "right", "--head", first.id);
    const document = JSON.parse(
      await ok(dir, "--json", "merge", "-m", "join", "--sql", left.id.slice(0, 8), right.id.slice(0, 8)),
    ) as Written;
    expect(document.revision.file.endsWith(".sql")).toBe(true);
    expect(readFileSync(document.revision.file, "utf8")).toContain(`-- revises: ${[left.id, right.id].join(", ")}`);
  });

  it("with a single head there is nothing to merge (exit 2, no file)", async () => {
    const dir = makeProject();
    await ok(dir, "init");
    await revision(dir, "-m", "one");
    const before = scripts(dir);
    const result = await runCli(["merge", "-m", "nothing"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/[Nn]othing to merge/);
    expect(scripts(dir)).toEqual(before);
  });
});
