import { cpSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { GraphError, ScriptError } from "../../../src/errors.js";
import { isKeystoneLayout, scanKeystoneLayout } from "../../../src/repo/keystone-layout.js";
import { scanRepository } from "../../../src/repo/repository.js";
import { thrown } from "../../helpers/failures.js";
import { makeProject, numberedTs, removeProjects, writeFiles } from "../../helpers/project.js";

afterAll(removeProjects);

const FIXTURE = fileURLToPath(new URL("../../fixtures/repo/keystone", import.meta.url));

/** A private copy of the fixture, so a test can break it. */
function fixtureCopy(): string {
  const root = makeProject();
  const dir = join(root, "migrate_repo");
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

describe("keystone three-folder layout", () => {
  it("is detected by scanRepository and loads one rolling revision per version", () => {
    expect(isKeystoneLayout(FIXTURE)).toBe(true);
    const scan = scanRepository(FIXTURE, { name: "example" });
    expect(scan).toMatchObject({ dir: FIXTURE, scriptsDir: FIXTURE, scheme: "numbered", layout: "keystone", rolling: true });
    const v = (folder: string, name: string): string => join(FIXTURE, folder, "versions", name);
    expect(scan.revisions).toEqual([
      {
        id: "1",
        number: 1,
        parents: [],
        dependsOn: [],
        branchLabels: [],
        message: "initial null migration",
        bodies: { upgrade: false, downgrade: false, expand: true, migrate: false, contract: false },
        transactional: true,
        files: {
          expand: v("expand_repo", "001_expand_initial_null_migration.ts"),
          migrate: v("data_migration_repo", "001_placeholder.ts"),
          contract: v("contract_repo", "001_placeholder.ts"),
        },
      },
      {
        id: "2",
        number: 2,
        parents: ["1"],
        dependsOn: [],
        branchLabels: [],
        message: "add the email column",
        bodies: { upgrade: false, downgrade: false, expand: true, migrate: true, contract: true },
        transactional: true,
        files: {
          expand: v("expand_repo", "002_expand_add_email.ts"),
          migrate: v("data_migration_repo", "002_migrate_add_email.sql"),
          contract: v("contract_repo", "002_contract_add_email.mjs"),
        },
      },
    ]);
  });

  it("names the missing file when a version is absent from one folder", () => {
    const dir = fixtureCopy();
    writeFiles(dir, {
      "expand_repo/versions/003_expand_x.ts": numberedTs(),
      "data_migration_repo/versions/003_migrate_x.ts": numberedTs(),
    });
    const error = thrown(() => scanRepository(dir, { name: "example" }));
    expect(error).toBeInstanceOf(GraphError);
    expect(error.message).toContain(`${join(dir, "contract_repo", "versions", "003_*")} is missing for version 3`);
    expect(error.message).toContain(`which has ${join(dir, "expand_repo", "versions", "003_expand_x.ts")}`);
  });

  it("treats a script without an upgrade body like a placeholder, and a version missing in expand is named too", () => {
    const dir = fixtureCopy();
    writeFiles(dir, {
      "expand_repo/versions/003_expand_nothing.ts": "export const message = 'nothing';\n",
      "data_migration_repo/versions/003_placeholder_x.ts": numberedTs(),
      "contract_repo/versions/003_contract_x.sql": "ALTER TABLE users DROP COLUMN address;\n",
    });
    const third = scanKeystoneLayout(dir)[2];
    expect(third?.bodies).toEqual({ upgrade: false, downgrade: false, expand: false, migrate: false, contract: true });
    expect(third?.message).toBe("nothing");
    rmSync(join(dir, "expand_repo", "versions", "003_expand_nothing.ts"));
    expect(thrown(() => scanKeystoneLayout(dir)).message).toContain(
      `${join(dir, "expand_repo", "versions", "003_*")} is missing for version 3`,
    );
  });

  it("refuses a partial layout, duplicate numbers, unnumbered scripts and scripts in the wrong folder", () => {
    const partial = makeProject({ "expand_repo/001_expand_a.ts": numberedTs(), "contract_repo/001_contract_a.ts": numberedTs() });
    const missingFolder = thrown(() => scanRepository(partial, { name: "x" }));
    expect(missingFolder).toBeInstanceOf(GraphError);
    expect(missingFolder.message).toContain(`${join(partial, "data_migration_repo")} is missing`);

    const dup = fixtureCopy();
    writeFiles(dup, { "contract_repo/versions/02_contract_again.ts": numberedTs() });
    expect(thrown(() => scanKeystoneLayout(dup)).message).toBe(
      `two scripts have version 2: ${join(dup, "contract_repo", "versions", "002_contract_add_email.mjs")} and ${join(dup, "contract_repo", "versions", "02_contract_again.ts")}`,
    );

    const unnumbered = fixtureCopy();
    writeFiles(unnumbered, { "expand_repo/versions/expand_x.ts": numberedTs() });
    const noNumber = thrown(() => scanKeystoneLayout(unnumbered));
    expect(noNumber).toBeInstanceOf(ScriptError);
    expect(noNumber.message).toMatch(/expand_x\.ts: scripts of a three-folder rolling repository are numbered/);

    const wrong = fixtureCopy();
    writeFiles(wrong, { "expand_repo/versions/003_contract_x.ts": numberedTs() });
    const misplaced = thrown(() => scanKeystoneLayout(wrong));
    expect(misplaced).toBeInstanceOf(ScriptError);
    expect(misplaced.message).toContain("a contract script is in expand_repo; contract scripts belong in contract_repo");
  });
});
