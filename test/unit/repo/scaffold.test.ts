import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UsageError } from "../../../src/errors.js";
import { parseCodeHeader } from "../../../src/repo/header-reader.js";
import { scanRepository } from "../../../src/repo/repository.js";
import {
  newRevisionId,
  renderRevision,
  revisionFileName,
  slugify,
  writeRevisionFile,
  type RevisionTemplate,
} from "../../../src/repo/scaffold.js";
import { parseSqlHeader, parseSqlScript } from "../../../src/repo/sql-script.js";
import { thrown } from "../../helpers/failures.js";
import { makeProject, removeProjects, withoutStamps } from "../../helpers/project.js";

afterAll(removeProjects);

describe("newRevisionId and slugify", () => {
  it("makes 12 lowercase hex characters, different each time", () => {
    const ids = new Set(Array.from({ length: 50 }, () => newRevisionId()));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{12}$/);
  });

  it("slugifies messages to short lowercase words joined by _", () => {
    expect(slugify("Add users table!")).toBe("add_users_table");
    expect(slugify("  Crème brûlée -- v2  ")).toBe("creme_brulee_v2");
    expect(slugify("!!!")).toBe("revision");
    expect(slugify("a very long message that goes on and on past forty characters")).toBe(
      "a_very_long_message_that_goes_on_and_on",
    );
  });
});

describe("renderRevision", () => {
  it("renders the SPEC §2 TypeScript format for a graph revision", () => {
    const text = renderRevision({
      scheme: "graph",
      id: "1a2b3c4d5e6f",
      language: "ts",
      rolling: false,
      message: "add users table",
      parents: ["0f9e8d7c6b5a"],
    });
    expect(text).toBe(`import type { Op } from "tidemark";

export const revision = "1a2b3c4d5e6f";
export const revises = "0f9e8d7c6b5a";
export const message = "add users table";
export const dependsOn = [];
export const branchLabels = [];

export async function upgrade(op: Op) {
}

export async function downgrade(op: Op) {
}
`);
  });

  it("renders the SPEC §2 SQL format, and rolling sections", () => {
    expect(
      renderRevision({
        scheme: "graph",
        id: "1a2b3c4d5e6f",
        language: "sql",
        rolling: false,
        message: "add users table",
        parents: ["0f9e8d7c6b5a"],
        bodyText: {
          upgrade: "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);",
          downgrade: "DROP TABLE users;\n",
        },
      }),
    ).toBe(`-- revision: 1a2b3c4d5e6f
-- revises: 0f9e8d7c6b5a
-- message: add users table

-- +upgrade
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);

-- +downgrade
DROP TABLE users;
`);
    expect(
      renderRevision({ scheme: "numbered", id: "4", language: "sql", rolling: true, message: "split name", parents: ["3"] }),
    ).toBe("-- message: split name\n\n-- +expand\n\n-- +migrate\n\n-- +contract\n");
  });

  it("indents body code in TypeScript and writes transactional = false only when asked", () => {
    const text = renderRevision({
      scheme: "numbered",
      id: "2",
      language: "ts",
      rolling: true,
      message: "m",
      parents: [],
      transactional: false,
      bodyText: {
        expand: 'await op.addColumn("users", "email", { type: "text" });\n\nawait op.createIndex("users", ["email"]);',
      },
    });
    expect(text).toBe(`import type { ContractOp, ExpandOp, MigrateOp } from "tidemark";

export const message = "m";
export const transactional = false;

export async function expand(op: ExpandOp) {
  await op.addColumn("users", "email", { type: "text" });

  await op.createIndex("users", ["email"]);
}

export async function migrate(op: MigrateOp) {
}

export async function contract(op: ContractOp) {
}
`);
  });
});

describe("round trip through the header readers", () => {
  const cases: RevisionTemplate[] = [
    { scheme: "graph", id: "aaaaaaaaaaaa", language: "ts", rolling: false, message: 'root "quoted" \\ back', parents: [] },
    {
      scheme: "graph",
      id: "bbbbbbbbbbbb",
      language: "ts",
      rolling: false,
      message: "one",
      parents: ["aaaaaaaaaaaa"],
      dependsOn: ["ffffffffffff"],
      branchLabels: ["core"],
    },
    {
      scheme: "graph",
      id: "cccccccccccc",
      language: "ts",
      rolling: true,
      message: "merge",
      parents: ["aaaaaaaaaaaa", "bbbbbbbbbbbb"],
      transactional: false,
    },
    { scheme: "graph", id: "dddddddddddd", language: "sql", rolling: false, message: "root: sql", parents: [] },
    {
      scheme: "graph",
      id: "eeeeeeeeeeee",
      language: "sql",
      rolling: true,
      message: "merge sql",
      parents: ["a1", "b2"],
      dependsOn: ["c3", "d4"],
      branchLabels: ["x", "y"],
      transactional: false,
    },
    { scheme: "numbered", id: "7", language: "ts", rolling: false, message: "multi\nline", parents: ["6"] },
    { scheme: "numbered", id: "8", language: "sql", rolling: false, message: "eight", parents: ["7"] },
    {
      scheme: "graph",
      id: "a0a0a0a0a0a0",
      language: "js",
      moduleStyle: "commonjs",
      rolling: false,
      message: "cjs",
      parents: ["p1"],
      dependsOn: ["d1"],
      branchLabels: ["b"],
      transactional: false,
    },
    {
      scheme: "graph",
      id: "b0b0b0b0b0b0",
      language: "js",
      moduleStyle: "esm",
      rolling: true,
      message: "esm",
      parents: ["x", "y"],
    },
    { scheme: "numbered", id: "9", language: "js", moduleStyle: "commonjs", rolling: true, message: "nine", parents: ["8"] },
  ];
  for (const template of cases) {
    it(`${template.scheme} ${template.language}${template.moduleStyle === undefined ? "" : ` (${template.moduleStyle})`} ${template.rolling ? "rolling" : "plain"} with ${template.parents.length} parent(s)`, () => {
      const text = renderRevision(template);
      const file = revisionFileName(template);
      const header = template.language === "sql" ? parseSqlHeader(text, file) : parseCodeHeader(text, file);
      expect(header.revision).toBe(template.scheme === "graph" ? template.id : undefined);
      if (template.scheme === "graph") expect(header.revises ?? []).toEqual(template.parents);
      expect(header.message).toBe(template.message.replace("\n", " "));
      expect(header.dependsOn).toEqual(template.dependsOn ?? []);
      expect(header.branchLabels).toEqual(template.branchLabels ?? []);
      expect(header.transactional).toBe(template.transactional ?? true);
      const expected = template.rolling
        ? { upgrade: false, downgrade: false, expand: true, migrate: true, contract: true }
        : { upgrade: true, downgrade: true, expand: false, migrate: false, contract: false };
      expect(header.bodies).toEqual(expected);
      if (template.language === "sql") {
        const sections = parseSqlScript(text, file, "sqlite").sections;
        expect(Object.values(sections).every((statements) => statements?.length === 0)).toBe(true);
      }
    });
  }
});

describe("writeRevisionFile", () => {
  it("writes the file under its conventional name, creating the folder, and the scan reads it back", () => {
    const dir = join(makeProject(), "migrations", "versions");
    const file = writeRevisionFile(dir, {
      scheme: "numbered",
      id: "3",
      language: "sql",
      rolling: false,
      message: "Add e-mail",
      parents: ["2"],
    });
    expect(file).toBe(join(dir, "003_add_e_mail.sql"));
    expect(readFileSync(file, "utf8")).toBe("-- message: Add e-mail\n\n-- +upgrade\n\n-- +downgrade\n");
    const id = newRevisionId();
    const graphDir = makeProject();
    const graphFile = writeRevisionFile(graphDir, {
      scheme: "graph",
      id,
      language: "ts",
      rolling: false,
      message: "Init",
      parents: [],
    });
    expect(graphFile).toBe(join(graphDir, `${id}_init.ts`));
    expect(withoutStamps(scanRepository(graphDir, { name: "core" }).revisions)).toEqual([
      {
        id,
        parents: [],
        dependsOn: [],
        branchLabels: [],
        message: "Init",
        bodies: { upgrade: true, downgrade: true, expand: false, migrate: false, contract: false },
        transactional: true,
        files: { main: graphFile },
      },
    ]);
  });

  it("refuses to overwrite a file or reuse a version number", () => {
    const dir = makeProject({ "003_other.ts": "export function upgrade() {}\n" });
    const template: RevisionTemplate = {
      scheme: "graph",
      id: "abcabcabcabc",
      language: "ts",
      rolling: false,
      message: "x",
      parents: [],
    };
    const first = writeRevisionFile(dir, template);
    const again = thrown(() => writeRevisionFile(dir, template));
    expect(again).toBeInstanceOf(UsageError);
    expect(again.message).toBe(`${first} already exists; tidemark does not overwrite scripts`);
    const clash = thrown(() =>
      writeRevisionFile(dir, { scheme: "numbered", id: "3", language: "sql", rolling: false, message: "new", parents: [] }),
    );
    expect(clash).toBeInstanceOf(UsageError);
    expect(clash.message).toBe(`version 3 already exists as ${join(dir, "003_other.ts")}; tidemark does not overwrite scripts`);
  });
});
