import { describe, expect, it } from "vitest";
import { ScriptError } from "../../../src/errors.js";
import { parseCodeHeader } from "../../../src/repo/header-reader.js";

function scriptError(fn: () => unknown): ScriptError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ScriptError);
    return error as ScriptError;
  }
  throw new Error("expected a ScriptError");
}

const NONE = { upgrade: false, downgrade: false, expand: false, migrate: false, contract: false };

describe("parseCodeHeader", () => {
  it("reads the SPEC example header and bodies", () => {
    const text = `import type { Op } from "tidemark";
export const revision = "1a2b3c4d5e6f";      // graph scheme only
export const revises = "0f9e8d7c6b5a";       // string | string[] | null
export const message = "add users table";
export const dependsOn = [];                 // optional extra edges
export const branchLabels = [];              // optional
export const transactional = true;           // optional, default true
export async function upgrade(op: Op) { await op.createTable("users", {}) }
export async function downgrade(op: Op) { await op.dropTable("users") }
`;
    expect(parseCodeHeader(text, "a.ts")).toEqual({
      file: "a.ts",
      revision: "1a2b3c4d5e6f",
      revises: ["0f9e8d7c6b5a"],
      message: "add users table",
      dependsOn: [],
      branchLabels: [],
      transactional: true,
      bodies: { ...NONE, upgrade: true, downgrade: true },
    });
  });

  it("reads every literal form: quotes, escapes, templates, arrays, null, booleans, type annotations, as const", () => {
    const text = [
      "export const revision: string = 'abc123';",
      "export let revises: readonly string[] | null = [\"p1\", 'p2', `p3`,] as const;",
      'export const message = `it\'s a \\"merge\\"\\n\\u00e9`',
      "export var dependsOn = [ /* first */ 'd1', // second",
      "  'd2' ];",
      "export const branchLabels = 'solo';",
      "export const transactional = false;",
      "export const expand = async (op: unknown) => {};",
      "export function* migrate() {}",
      "export async function contract(op) {}",
    ].join("\n");
    expect(parseCodeHeader(text, "b.mts")).toEqual({
      file: "b.mts",
      revision: "abc123",
      revises: ["p1", "p2", "p3"],
      message: 'it\'s a "merge"\né',
      dependsOn: ["d1", "d2"],
      branchLabels: ["solo"],
      transactional: false,
      bodies: { ...NONE, expand: true, migrate: true, contract: true },
    });
  });

  it("reads revises = null as a root and leaves an undeclared revises undefined", () => {
    expect(parseCodeHeader('export const revision = "r";\nexport const revises = null;', "r.ts").revises).toEqual([]);
    expect(parseCodeHeader('export const revision = "r";', "r.ts").revises).toBeUndefined();
  });

  it("is not fooled by exports inside comments, strings, templates and regex literals", () => {
    const text = `// export const revision = "fake1";
/*
export const revision = "fake2";
export function downgrade() {}
*/
const a = "export const revision = 'fake3'";
const b = 'export function expand() {}';
const c = \`
export const message = "fake4";
\${ { x: \`export function migrate() {}\` }.x }
export function contract() {}
\`;
const d = /export function downgrade() {}"/g;
const e = 10 / 2; const f = 3 / 1;
const obj = { export: 1 };
module.exports = obj.export;
export const revision = "real";
export function upgrade(op) { return "export const message = 'fake5'"; }
`;
    expect(parseCodeHeader(text, "c.js")).toEqual({
      file: "c.js",
      revision: "real",
      dependsOn: [],
      branchLabels: [],
      transactional: true,
      bodies: { ...NONE, upgrade: true },
    });
  });

  it("counts bodies from export lists and refuses header values exported that way", () => {
    const text = "const up = () => {};\nexport { up as upgrade, /* x */ down as downgrade };\n";
    expect(parseCodeHeader(text, "l.js").bodies).toEqual({ ...NONE, upgrade: true, downgrade: true });
    const error = scriptError(() => parseCodeHeader('const r = "x";\n\nexport { r as revision };', "l.js"));
    expect(error.message).toMatch(/^l\.js:3: `revision` must be declared as `export const revision = <literal>`/);
  });

  it("refuses non-literal header values, naming the file and line", () => {
    const cases: [string, number, RegExp][] = [
      ['const id = "x";\nexport const revision = id;', 2, /`revision` must be a literal .* found `id;`/],
      ['export const revision = "a";\n\nexport const revises = `${"p"}`;', 3, /`revises` must be a literal/],
      ['export const message = "a" + "b";', 1, /`message` must be a literal/],
      ["export const dependsOn = [\n  'a',\n  other,\n];", 1, /`dependsOn` must be a literal/],
      ["export const transactional = !0;", 1, /`transactional` must be a literal/],
    ];
    for (const [text, line, pattern] of cases) {
      const error = scriptError(() => parseCodeHeader(text, "bad.ts"));
      expect(error.file).toBe("bad.ts");
      expect(error.line).toBe(line);
      expect(error.message).toMatch(pattern);
    }
  });

  it("refuses literals of the wrong type", () => {
    expect(scriptError(() => parseCodeHeader("export const revision = null;", "t.ts")).message).toBe(
      "t.ts:1: `revision` must be a non-empty string without spaces, found null",
    );
    expect(scriptError(() => parseCodeHeader("\nexport const transactional = 'no';", "t.ts")).message).toBe(
      't.ts:2: `transactional` must be true or false, found "no"',
    );
    expect(scriptError(() => parseCodeHeader("export const revises = true;", "t.ts")).message).toMatch(
      /^t\.ts:1: `revises` must be a revision id, an array of ids \(a merge\) or null/,
    );
    expect(scriptError(() => parseCodeHeader("export const branchLabels = [''];", "t.ts")).line).toBe(1);
  });

  it("refuses a script that is both plain and rolling", () => {
    const error = scriptError(() => parseCodeHeader("export function upgrade() {}\n\nexport function expand() {}\n", "m.ts"));
    expect(error.message).toMatch(/^m\.ts:3: exports both `upgrade` and `expand`/);
  });
});

describe("parseCodeHeader on CommonJS scripts", () => {
  it("reads exports.NAME = … and module.exports.NAME = …", () => {
    const text = [
      '"use strict";',
      'exports.revision = "c0ffee000001";',
      "module.exports.revises = ['c0ffee000000'];",
      "exports.message = `add users`;",
      "exports.transactional = false;",
      "exports.upgrade = async function (op) { await op.createTable('users', {}); };",
      'module.exports.downgrade = async (op) => op.dropTable("users");',
    ].join("\n");
    expect(parseCodeHeader(text, "a.cjs")).toEqual({
      file: "a.cjs",
      revision: "c0ffee000001",
      revises: ["c0ffee000000"],
      message: "add users",
      dependsOn: [],
      branchLabels: [],
      transactional: false,
      bodies: { ...NONE, upgrade: true, downgrade: true },
    });
  });

  it("reads module.exports = { … } with literal values, function values, arrows, methods and shorthand bodies", () => {
    const text = `const helper = require("./helper");
async function contract(op) { await op.dropColumn("t", "old"); }
module.exports = {
  revision: "c0ffee000002",
  'revises': null,
  message: "rolling, with { braces } and , commas",
  dependsOn: [],
  expand: async (op) => { await op.addColumn("t", "new", { type: "text" }); },
  async migrate(op) { await helper(op, { a: [1, 2], b: \`x\${1}\` }); },
  contract,
};
`;
    expect(parseCodeHeader(text, "b.js")).toEqual({
      file: "b.js",
      revision: "c0ffee000002",
      revises: [],
      message: "rolling, with { braces } and , commas",
      dependsOn: [],
      branchLabels: [],
      transactional: true,
      bodies: { ...NONE, expand: true, migrate: true, contract: true },
    });
  });

  it("refuses non-literal header values in either form, naming the line", () => {
    const property = scriptError(() => parseCodeHeader('const id = "x";\nexports.revision = id;', "c.js"));
    expect(property.message).toMatch(/^c\.js:2: `revision` must be a literal .* found `id;`/);
    const object = scriptError(() => parseCodeHeader('const id = "x";\nmodule.exports = {\n  revision: id,\n};', "c.js"));
    expect(object.message).toMatch(/^c\.js:3: `revision` must be a literal .* found `id,`/);
    const shorthand = scriptError(() => parseCodeHeader('const revision = "x";\nmodule.exports = { revision };', "c.js"));
    expect(shorthand.message).toMatch(/^c\.js:2: `revision` must be a literal/);
  });

  it("ignores exports inside functions and other objects", () => {
    const text = `function make() { exports.revision = "nested"; module.exports = { revision: "nested2" }; }
const other = { exports: { revision: "no" } };
obj.exports.revision = "no";
exports.revision = "outer";
`;
    expect(parseCodeHeader(text, "d.js").revision).toBe("outer");
  });
});
