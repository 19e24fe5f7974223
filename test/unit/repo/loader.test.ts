import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ScriptError } from "../../../src/errors.js";
import type { Revision } from "../../../src/graph/revision.js";
import { loadScript, type LoadedBody } from "../../../src/repo/loader.js";
import { scanRepository } from "../../../src/repo/repository.js";
import { makeProject, removeProjects } from "../../helpers/project.js";

afterAll(removeProjects);

const FIXTURE = fileURLToPath(new URL("../../fixtures/repo/keystone", import.meta.url));

async function rejection(promise: Promise<unknown>): Promise<ScriptError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ScriptError);
    return error as ScriptError;
  }
  throw new Error("expected a ScriptError");
}

async function call(body: LoadedBody | undefined): Promise<string[]> {
  if (body?.kind !== "function") throw new Error(`expected a function body, got ${body?.kind}`);
  const op = { calls: [] as string[] };
  await body.run(op);
  return op.calls;
}

function only(dir: string): Revision {
  const [revision] = scanRepository(dir, { name: "core" }).revisions;
  if (revision === undefined) throw new Error("no revision");
  return revision;
}

describe("loadScript", () => {
  it("imports a TypeScript script without a build step and returns its body functions", async () => {
    const dir = makeProject({
      "aaaaaaaaaaaa_users.ts": `import type { Op } from "tidemark";
export const revision = "aaaaaaaaaaaa";
export const revises = null;
type Recorder = { calls: string[] };
const name: string = "users";
export async function upgrade(op: Op) { await Promise.resolve(); (op as unknown as Recorder).calls.push("up " + name); }
export function downgrade(op: Op) { (op as unknown as Recorder).calls.push("down " + name); }
`,
    });
    const loaded = await loadScript(only(dir), "sqlite");
    expect(Object.keys(loaded.bodies).sort()).toEqual(["downgrade", "upgrade"]);
    expect(loaded.bodies.upgrade?.file).toBe(join(dir, "aaaaaaaaaaaa_users.ts"));
    expect(await call(loaded.bodies.upgrade)).toEqual(["up users"]);
    expect(await call(loaded.bodies.downgrade)).toEqual(["down users"]);
  });

  it("imports rolling .mjs scripts and ESM .js scripts", async () => {
    const dir = makeProject({
      "001_roll.mjs":
        "export function expand(op) { op.calls.push('expand'); }\nexport const contract = async (op) => { op.calls.push('contract'); };\n",
    });
    const loaded = await loadScript(only(dir), "postgres");
    expect(Object.keys(loaded.bodies).sort()).toEqual(["contract", "expand"]);
    expect(await call(loaded.bodies.expand)).toEqual(["expand"]);
    expect(await call(loaded.bodies.contract)).toEqual(["contract"]);
    const js = makeProject({
      "bbbbbbbbbbbb_x.js":
        'export const revision = "bbbbbbbbbbbb";\nexport function migrate(op) { op.calls.push("js migrate"); }\n',
    });
    expect(await call((await loadScript(only(js), "mysql")).bodies.migrate)).toEqual(["js migrate"]);
  });

  it("returns each SQL section's statements, split for the dialect", async () => {
    const dir = makeProject({
      "001_fn.sql":
        "-- +upgrade\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\nSELECT f();\n-- +downgrade\nDROP FUNCTION f;\n",
    });
    const loaded = await loadScript(only(dir), "postgres");
    const file = join(dir, "001_fn.sql");
    expect(loaded.bodies).toEqual({
      upgrade: {
        kind: "sql",
        file,
        statements: [
          { sql: "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql", line: 2 },
          { sql: "SELECT f()", line: 3 },
        ],
      },
      downgrade: { kind: "sql", file, statements: [{ sql: "DROP FUNCTION f", line: 5 }] },
    });
  });

  it("loads a keystone revision: each phase file's upgrade is that phase's body, placeholders are absent", async () => {
    const [first, second] = scanRepository(FIXTURE, { name: "example" }).revisions as [Revision, Revision];
    const one = await loadScript(first, "sqlite");
    expect(Object.keys(one.bodies)).toEqual(["expand"]);
    expect(await call(one.bodies.expand)).toEqual([]);
    const two = await loadScript(second, "mysql");
    expect(await call(two.bodies.expand)).toEqual(["expand 2"]);
    expect(two.bodies.migrate).toEqual({
      kind: "sql",
      file: join(FIXTURE, "data_migration_repo", "versions", "002_migrate_add_email.sql"),
      statements: [{ sql: "UPDATE users SET email = address WHERE email IS NULL", line: 2 }],
    });
    expect(await call(two.bodies.contract)).toEqual(["contract 2"]);
    expect(two.bodies.upgrade).toBeUndefined();
  });

  it("reports a syntax error with the file and line", async () => {
    const dir = makeProject({
      "001_broken.ts": "export const message = 'broken';\n\nexport async function upgrade(op: unknown) {\n  const x = ;\n}\n",
    });
    const error = await rejection(loadScript(only(dir), "sqlite"));
    expect(error.file).toBe(join(dir, "001_broken.ts"));
    expect(error.line).toBe(4);
    expect(error.message).toMatch(new RegExp(`^${join(dir, "001_broken.ts")}:4: cannot be loaded: .*Unexpected token`));
  });

  it("reports a throw at import with the file and line", async () => {
    const dir = makeProject({
      "001_throws.ts":
        "interface A { a: number }\nconst a: A = { a: 1 };\n\nthrow new RangeError(`no table ${a.a}`);\nexport function upgrade() {}\n",
    });
    const error = await rejection(loadScript(only(dir), "sqlite"));
    expect(error.line).toBe(4);
    expect(error.message).toBe(`${join(dir, "001_throws.ts")}:4: cannot be loaded: RangeError: no table 1`);
  });

  it("refuses a body that is not a function, or a declared body that the module lacks", async () => {
    const dir = makeProject({ "001_x.mjs": "export const upgrade = 42;\nexport let downgrade;\n" });
    const error = await rejection(loadScript(only(dir), "sqlite"));
    expect(error.message).toBe(
      `${join(dir, "001_x.mjs")}: \`upgrade\` must be an exported function, but the script exports a number under that name`,
    );

    const other = makeProject({ "001_y.mjs": "export function upgrade() {}\n" });
    const revision = only(other);
    const claimed: Revision = { ...revision, bodies: { ...revision.bodies, downgrade: true } };
    const missing = await rejection(loadScript(claimed, "sqlite"));
    expect(missing.message).toBe(
      `${join(other, "001_y.mjs")}: \`downgrade\` must be an exported function, but the script exports nothing under that name`,
    );
  });
});
