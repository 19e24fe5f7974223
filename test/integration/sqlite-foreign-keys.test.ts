/**
 * SQLite's rule for schema changes (issue 11): every step runs with
 * foreign-key enforcement off, as SQLite's documentation prescribes for a
 * table rebuild, and `PRAGMA foreign_key_check` runs before the step
 * commits. So the rebuild recipe (create new, copy, drop old, rename) keeps
 * every child row, exactly as the sqlite3 CLI does, and a step that breaks
 * a foreign key fails, names the row and leaves the database as it was.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, besideTarget } from "../helpers/cli.js";
import { makeProject, removeProjects } from "../helpers/project.js";
import { objects, query, versions } from "../cli/sqlite-state.js";

afterAll(removeProjects);

const CONFIG = {
  "tidemark.config.json": JSON.stringify({ url: "sqlite:app.db", repositories: { core: { path: "migrations" } } }),
};

function project(scripts: readonly string[]): string {
  const files: Record<string, string> = { ...CONFIG };
  scripts.forEach((text, i) => {
    files[`migrations/${String(i + 1).padStart(3, "0")}_step.sql`] = text;
  });
  return makeProject(files);
}

/** The same scripts through the sqlite3 CLI, each in its own transaction, as a user would apply them by hand. */
function throughSqlite3(dir: string, scripts: readonly string[], file = "cli.db"): string {
  const path = join(dir, file);
  for (const text of scripts) execFileSync("sqlite3", ["-bail", path], { input: `BEGIN;\n${text}\nCOMMIT;\n` });
  return path;
}

/** Every user table's rows, in a stable order: what must survive. */
function rows(file: string): Record<string, unknown[]> {
  const tables = query(
    file,
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'tidemark%' AND name NOT LIKE 'sqlite%' ORDER BY name",
  );
  return Object.fromEntries(
    tables.map(({ name }) => [String(name), query(file, `SELECT * FROM "${String(name)}" ORDER BY 1, 2`)]),
  );
}

const REBUILD_P =
  "CREATE TABLE p_new(id TEXT PRIMARY KEY, name TEXT); INSERT INTO p_new(id) SELECT id FROM p; DROP TABLE p; ALTER TABLE p_new RENAME TO p;";

describe("SQLite table rebuilds keep child rows (foreign-key enforcement off during steps)", () => {
  it("keeps the rows of an ON DELETE CASCADE child, as the sqlite3 CLI does", async () => {
    const scripts = [
      "CREATE TABLE p(id TEXT PRIMARY KEY); CREATE TABLE c(id TEXT PRIMARY KEY, p_id TEXT REFERENCES p(id) ON DELETE CASCADE); INSERT INTO p VALUES('p1'); INSERT INTO c VALUES('c1','p1');",
      REBUILD_P,
    ];
    const dir = project(scripts);
    const result = await runCli(["upgrade", "head"], { cwd: dir });
    expect(besideTarget(result.stderr)).toBe("");
    expect(result.code).toBe(0);
    expect(query(join(dir, "app.db"), "SELECT count(*) AS n FROM c")).toEqual([{ n: 1 }]);
    expect(query(throughSqlite3(dir, scripts), "SELECT count(*) AS n FROM c")).toEqual([{ n: 1 }]);
    expect(versions(join(dir, "app.db"))).toEqual(["2"]);
  });

  it("rebuilds a parent whose child has no ON DELETE action (with enforcement on: 'FOREIGN KEY constraint failed')", async () => {
    const scripts = [
      "CREATE TABLE p(id TEXT PRIMARY KEY); CREATE TABLE c(id TEXT PRIMARY KEY, p_id TEXT REFERENCES p(id)); INSERT INTO p VALUES('p1'); INSERT INTO c VALUES('c1','p1');",
      REBUILD_P,
    ];
    const dir = project(scripts);
    const result = await runCli(["upgrade", "head"], { cwd: dir });
    expect(besideTarget(result.stderr)).toBe("");
    expect(result.code).toBe(0);
    expect(rows(join(dir, "app.db"))).toEqual(rows(throughSqlite3(dir, scripts)));
  });

  it("fails a step that breaks a foreign key, naming the table and row, and rolls it back", async () => {
    const scripts = [
      "CREATE TABLE p(id TEXT PRIMARY KEY); CREATE TABLE c(id TEXT PRIMARY KEY, p_id TEXT REFERENCES p(id)); INSERT INTO p VALUES('p1');",
      "INSERT INTO c VALUES('c1','p1'); INSERT INTO c VALUES('c2','nope');",
    ];
    const dir = project(scripts);
    const result = await runCli(["upgrade", "head"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("revision 2");
    expect(result.stderr).toContain("FOREIGN KEY constraint failed: 1 row reference missing parents (c row 2 -> p)");
    expect(result.stderr).toContain("The step was rolled back; the database is as it was before the step.");
    expect(query(join(dir, "app.db"), "SELECT id FROM c")).toEqual([]);
    expect(versions(join(dir, "app.db"))).toEqual(["1"]);
  });

  it("keeps the rows through the offline script too, and its check aborts a step that breaks a foreign key", async () => {
    const scripts = [
      "CREATE TABLE p(id TEXT PRIMARY KEY); CREATE TABLE c(id TEXT PRIMARY KEY, p_id TEXT REFERENCES p(id) ON DELETE CASCADE); INSERT INTO p VALUES('p1'); INSERT INTO c VALUES('c1','p1');",
      REBUILD_P,
    ];
    const dir = project(scripts);
    const offline = await runCli(["upgrade", "head", "--sql"], { cwd: dir });
    expect(offline.code).toBe(0);
    execFileSync("sqlite3", [join(dir, "offline.db")], { input: offline.stdout });
    expect(query(join(dir, "offline.db"), "SELECT count(*) AS n FROM c")).toEqual([{ n: 1 }]);

    const broken = project([scripts[0] as string, "INSERT INTO c VALUES('c2','nope');"]);
    const script = await runCli(["upgrade", "head", "--sql"], { cwd: broken });
    let failed = "";
    try {
      execFileSync("sqlite3", [join(broken, "offline.db")], { input: script.stdout, stdio: ["pipe", "pipe", "pipe"] });
    } catch (error) {
      failed = String((error as { stderr?: Buffer }).stderr ?? "");
    }
    expect(failed).toContain("tidemark_foreign_key_violation");
    expect(query(join(broken, "offline.db"), "SELECT id FROM c")).toEqual([{ id: "c1" }]);
    expect(versions(join(broken, "offline.db"))).toEqual(["1"]);
  });
});

/**
 * A realistic repository: three rebuilds of parent tables with cascading,
 * SET NULL and action-less children, rows seeded between migrations. Every
 * row the sqlite3 CLI keeps is still there after `upgrade head`, online and
 * through the offline script.
 */
const CORPUS = [
  "CREATE TABLE orgs(id INTEGER PRIMARY KEY, name TEXT NOT NULL); CREATE TABLE users(id INTEGER PRIMARY KEY, login TEXT NOT NULL UNIQUE);",
  "INSERT INTO orgs VALUES (1,'acme'),(2,'globex'),(3,'initech'); INSERT INTO users VALUES (1,'ann'),(2,'bob'),(3,'cid'),(4,'dee');",
  "CREATE TABLE projects(id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE, title TEXT);" +
    " CREATE TABLE memberships(user_id INTEGER REFERENCES users(id) ON DELETE CASCADE, org_id INTEGER REFERENCES orgs(id), PRIMARY KEY (user_id, org_id));",
  "INSERT INTO projects VALUES (1,1,'rockets'),(2,1,'anvils'),(3,2,'lasers'),(4,3,'tps'); INSERT INTO memberships VALUES (1,1),(2,1),(2,2),(3,3),(4,3);",
  "CREATE TABLE comments(id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), body TEXT);" +
    " CREATE TABLE tags(id INTEGER PRIMARY KEY, project_id INTEGER REFERENCES projects(id) ON DELETE SET NULL, label TEXT);",
  "INSERT INTO comments VALUES (1,1,'first'),(2,2,'second'),(3,4,'third'); INSERT INTO tags VALUES (1,1,'hot'),(2,3,'cold'),(3,4,'meh');",
  // Rebuild 1: users gains a column (children: memberships CASCADE, comments no action).
  "CREATE TABLE users_new(id INTEGER PRIMARY KEY, login TEXT NOT NULL UNIQUE, email TEXT); INSERT INTO users_new(id, login) SELECT id, login FROM users;" +
    " DROP TABLE users; ALTER TABLE users_new RENAME TO users;",
  "INSERT INTO users VALUES (5,'eve','eve@example.com'); UPDATE users SET email = login || '@example.com' WHERE email IS NULL;",
  "ALTER TABLE orgs ADD COLUMN region TEXT DEFAULT 'eu';",
  // Rebuild 2: orgs changes a column's type (children: projects CASCADE, memberships no action).
  "CREATE TABLE orgs_new(id INTEGER PRIMARY KEY, name VARCHAR(80) NOT NULL, region TEXT DEFAULT 'eu'); INSERT INTO orgs_new SELECT id, name, region FROM orgs;" +
    " DROP TABLE orgs; ALTER TABLE orgs_new RENAME TO orgs;",
  "INSERT INTO orgs VALUES (4,'hooli','us'); INSERT INTO projects VALUES (5,4,'pied piper'); INSERT INTO memberships VALUES (5,4);",
  "CREATE INDEX ix_projects_org ON projects(org_id);",
  // Rebuild 3: projects drops a column (child: tags SET NULL), keeping its index.
  "CREATE TABLE projects_new(id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE); INSERT INTO projects_new SELECT id, org_id FROM projects;" +
    " DROP TABLE projects; ALTER TABLE projects_new RENAME TO projects; CREATE INDEX ix_projects_org ON projects(org_id);",
  "INSERT INTO tags VALUES (4,5,'new'),(5,NULL,'orphan');",
  "UPDATE comments SET body = upper(body) WHERE user_id IN (1, 2);",
  "CREATE VIEW member_orgs AS SELECT u.login, o.name FROM memberships m JOIN users u ON u.id = m.user_id JOIN orgs o ON o.id = m.org_id;",
  "DELETE FROM comments WHERE id = 3;",
  "ALTER TABLE comments ADD COLUMN edited INTEGER NOT NULL DEFAULT 0;",
  "INSERT INTO comments VALUES (4,5,'fourth',1); INSERT INTO memberships VALUES (1,2);",
  "ALTER TABLE tags RENAME TO labels;",
  "INSERT INTO labels VALUES (6,2,'archived');",
];

describe("a seeded repository with three parent rebuilds", () => {
  it("keeps every row the sqlite3 CLI keeps, online and offline", async () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(20);
    const dir = project(CORPUS);
    const expected = rows(throughSqlite3(dir, CORPUS));
    // The CLI run lost nothing either: every seeded child row is there.
    expect(expected["memberships"]).toHaveLength(7);
    expect(expected["projects"]).toHaveLength(5);
    expect(expected["labels"]).toHaveLength(6);

    const online = await runCli(["upgrade", "head"], { cwd: dir });
    expect(besideTarget(online.stderr)).toBe("");
    expect(online.code).toBe(0);
    expect(rows(join(dir, "app.db"))).toEqual(expected);
    expect(query(join(dir, "app.db"), "PRAGMA foreign_key_check")).toEqual([]);

    const offline = await runCli(["upgrade", "head", "--sql"], { cwd: dir });
    execFileSync("sqlite3", [join(dir, "offline.db")], { input: offline.stdout });
    expect(rows(join(dir, "offline.db"))).toEqual(expected);
    expect(objects(join(dir, "offline.db"))).toEqual(objects(join(dir, "app.db")));
  });
});
