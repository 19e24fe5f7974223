/**
 * Keystone's three-folder rolling layout (Newton): `expand_repo/`,
 * `data_migration_repo/` and `contract_repo/`, each a numbered repository whose
 * scripts export `upgrade`. Version N exists in all three; together the
 * three files are one rolling revision, so the rest of tidemark sees the same
 * model as a single-folder rolling repository.
 */
import { join } from "node:path";
import { GraphError, ScriptError } from "../errors.js";
import { PHASES, type Phase, type Revision } from "../graph/revision.js";
import { readFolderHeaders } from "./read-header.js";
import type { ScriptHeader } from "./script-header.js";
import {
  isDirectory,
  listScriptFiles,
  numberedParents,
  parseNumberedName,
  scriptsFolderOf,
  slugToMessage,
  type NumberedName,
} from "./script-files.js";

export const KEYSTONE_FOLDERS: Readonly<Record<Phase, string>> = {
  expand: "expand_repo",
  migrate: "data_migration_repo",
  contract: "contract_repo",
};

interface PhaseScript {
  readonly file: string;
  readonly name: NumberedName;
  readonly header: ScriptHeader;
  readonly placeholder: boolean;
}

/** True when `dir` holds any of the three phase folders (a partial layout is then reported as such). */
export function isKeystoneLayout(dir: string): boolean {
  return PHASES.some((phase) => isDirectory(join(dir, KEYSTONE_FOLDERS[phase])));
}

/** One rolling Revision per version number, with one file per phase. */
export function scanKeystoneLayout(dir: string, cache?: string | false): Revision[] {
  const missingFolders = PHASES.filter((phase) => !isDirectory(join(dir, KEYSTONE_FOLDERS[phase])));
  if (missingFolders.length > 0) {
    const missing = missingFolders.map((phase) => join(dir, KEYSTONE_FOLDERS[phase])).join(", ");
    throw new GraphError(
      `${dir} uses the three-folder rolling layout (expand_repo/, data_migration_repo/, contract_repo/) but ${missing} ${missingFolders.length === 1 ? "is" : "are"} missing`,
    );
  }
  const folders = {} as Record<Phase, string>;
  const byPhase = {} as Record<Phase, Map<number, PhaseScript>>;
  for (const phase of PHASES) {
    folders[phase] = scriptsFolderOf(join(dir, KEYSTONE_FOLDERS[phase]));
    byPhase[phase] = readPhaseFolder(folders[phase], phase, cache);
  }
  const numbers = [...new Set(PHASES.flatMap((phase) => [...byPhase[phase].keys()]))].sort((a, b) => a - b);
  const revisions: Revision[] = [];
  for (const n of numbers) {
    const present = PHASES.map((phase) => byPhase[phase].get(n)).filter((s): s is PhaseScript => s !== undefined);
    const witness = present[0] as PhaseScript;
    for (const phase of PHASES) {
      if (byPhase[phase].has(n)) continue;
      throw new GraphError(
        `version ${n} is missing from ${KEYSTONE_FOLDERS[phase]}: ${join(folders[phase], `${witness.name.digits}_*`)} is missing for version ${n}, which has ${witness.file}; every version needs a script in all three folders (a placeholder that does nothing is fine)`,
      );
    }
    const scripts = byPhase as Record<Phase, ReadonlyMap<number, PhaseScript>>;
    const expand = scripts.expand.get(n) as PhaseScript;
    const migrate = scripts.migrate.get(n) as PhaseScript;
    const contract = scripts.contract.get(n) as PhaseScript;
    const hasBody = (script: PhaseScript, phase: Phase): boolean =>
      !script.placeholder && (script.header.bodies.upgrade || script.header.bodies[phase]);
    revisions.push({
      id: String(n),
      parents: numberedParents(n),
      dependsOn: [],
      branchLabels: [],
      message: messageOf([expand, migrate, contract]),
      number: n,
      bodies: {
        upgrade: false,
        downgrade: false,
        expand: hasBody(expand, "expand"),
        migrate: hasBody(migrate, "migrate"),
        contract: hasBody(contract, "contract"),
      },
      transactional: expand.header.transactional && migrate.header.transactional && contract.header.transactional,
      files: { expand: expand.file, migrate: migrate.file, contract: contract.file },
    });
  }
  return revisions;
}

function readPhaseFolder(folder: string, phase: Phase, cache: string | false | undefined): Map<number, PhaseScript> {
  const names = listScriptFiles(folder);
  // Names are checked before any header is read, so a misplaced file is what gets reported.
  const numbered = names.map((fileName) => {
    const file = join(folder, fileName);
    const name = parseNumberedName(fileName);
    if (name === undefined) {
      throw new ScriptError(
        file,
        undefined,
        `scripts of a three-folder rolling repository are numbered: NNN_${phase}_slug.ext or NNN_placeholder.ext`,
      );
    }
    const other = PHASES.find((p) => p !== phase && name.slug.startsWith(`${p}_`));
    if (other !== undefined) {
      throw new ScriptError(
        file,
        undefined,
        `a ${other} script is in ${KEYSTONE_FOLDERS[phase]}; ${other} scripts belong in ${KEYSTONE_FOLDERS[other]}`,
      );
    }
    return { file, name };
  });
  const headers = readFolderHeaders(folder, names, cache);
  const scripts = new Map<number, PhaseScript>();
  numbered.forEach(({ file, name }, i) => {
    const previous = scripts.get(name.number);
    if (previous !== undefined) {
      throw new GraphError(`two scripts have version ${name.number}: ${previous.file} and ${file}`);
    }
    scripts.set(name.number, {
      file,
      name,
      header: headers[i] as ScriptHeader,
      placeholder: name.slug.startsWith("placeholder"),
    });
  });
  return scripts;
}

/** The first script's own message, else its slug without the phase word. */
function messageOf(scripts: readonly PhaseScript[]): string {
  const real = scripts.filter((s) => !s.placeholder);
  for (const script of real) if (script.header.message !== undefined) return script.header.message;
  const slug = (real[0] ?? (scripts[0] as PhaseScript)).name.slug.replace(/^(?:expand|migrate|contract)_/, "");
  return slugToMessage(slug);
}
