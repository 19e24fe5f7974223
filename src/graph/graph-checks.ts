/**
 * The structural checks a revision graph must pass before anything else may
 * look at it. Each failure is a GraphError naming the script file(s), so a
 * user can go straight to the file that is wrong.
 */
import { GraphError } from "../errors.js";
import { revisionFile, type IdScheme, type Revision } from "./revision.js";

/** Words the target grammar gives a meaning to; a branch label may not shadow them. */
const RESERVED_LABELS = new Set(["head", "heads", "base", "current"]);

/** The file a user should open for this revision (the main file, else the first phase file). */
export function fileOf(revision: Revision): string {
  return revisionFile(revision) ?? `revision ${revision.id}`;
}

/** Checks ids and numbering; returns the input index of each id. */
export function checkRevisions(revisions: readonly Revision[], scheme: IdScheme, repository: string): Map<string, number> {
  if (scheme === "numbered") checkNumbering(revisions, repository);
  const index = new Map<string, number>();
  for (let i = 0; i < revisions.length; i++) {
    const revision = revisions[i]!;
    if (revision.id === "") {
      throw new GraphError(`Repository ${repository}: ${fileOf(revision)} declares an empty revision id.`, {
        fields: { repository, file: fileOf(revision) },
      });
    }
    const seen = index.get(revision.id);
    if (seen !== undefined) {
      const first = revisions[seen]!;
      throw new GraphError(
        `Repository ${repository}: revision id ${revision.id} is declared twice, in ${fileOf(first)} and in ${fileOf(revision)}; every revision needs its own id.`,
        { fields: { repository, revision: revision.id, files: [fileOf(first), fileOf(revision)] } },
      );
    }
    index.set(revision.id, i);
  }
  return index;
}

/** Label → index of the revision carrying it. */
export function collectLabels(
  revisions: readonly Revision[],
  index: ReadonlyMap<string, number>,
  repository: string,
): Map<string, number> {
  const labels = new Map<string, number>();
  for (let i = 0; i < revisions.length; i++) {
    const revision = revisions[i]!;
    if (revision.branchLabels.length === 0) continue;
    for (const label of revision.branchLabels) {
      const where = `${fileOf(revision)} declares branch label "${label}"`;
      if (label === "" || /[\s@:+]/.test(label) || /^-?\d+$/.test(label) || RESERVED_LABELS.has(label)) {
        throw new GraphError(
          `Repository ${repository}: ${where}, which cannot be used as a target: a label must be non-empty, must not be a number or one of head, heads, base, current, and must not contain spaces, "@", ":" or "+".`,
          { fields: { repository, file: fileOf(revision), label } },
        );
      }
      const other = labels.get(label);
      if (other !== undefined) {
        const first = revisions[other]!;
        throw new GraphError(
          other === i
            ? `Repository ${repository}: ${where} twice.`
            : `Repository ${repository}: branch label "${label}" is used by both ${fileOf(first)} and ${fileOf(revision)}; a label names one branch.`,
          { fields: { repository, label, files: [fileOf(first), fileOf(revision)] } },
        );
      }
      if (index.has(label)) {
        const owner = revisions[index.get(label)!]!;
        throw new GraphError(
          `Repository ${repository}: ${where}, which is also the id of the revision in ${fileOf(owner)}; labels and ids must differ.`,
          { fields: { repository, label, files: [fileOf(revision), fileOf(owner)] } },
        );
      }
      labels.set(label, i);
    }
  }
  return labels;
}

/**
 * Names one cycle among the revisions Kahn's algorithm could not order.
 * Every such revision has a predecessor that is also stuck, so walking
 * predecessors from any of them must come back to a revision already seen.
 */
export function describeCycle(
  revisions: readonly Revision[],
  preds: (node: number) => readonly number[],
  stuck: (node: number) => boolean,
  repository: string,
): GraphError {
  let start = 0;
  while (!stuck(start)) start++;
  const position = new Map<number, number>();
  const path: number[] = [];
  let current = start;
  while (!position.has(current)) {
    position.set(current, path.length);
    path.push(current);
    current = preds(current).find(stuck)!;
  }
  const cycle = path.slice(position.get(current)!);
  cycle.push(current);
  const ids = cycle.map((i) => revisions[i]!.id);
  const files = [...new Set(cycle.map((i) => fileOf(revisions[i]!)))];
  return new GraphError(
    `Repository ${repository}: the revisions form a cycle, ${ids.join(" -> ")} (each revises or depends on the next), in ${files.join(", ")}; a revision cannot come before itself.`,
    { fields: { repository, cycle: ids, files } },
  );
}

/** A parent or dependsOn entry that names no revision. */
export function unknownReference(
  revision: Revision,
  id: string,
  relation: "parent" | "dependsOn",
  repository: string,
): GraphError {
  const verb = relation === "parent" ? "revises" : "depends on";
  return new GraphError(
    `Repository ${repository}: ${fileOf(revision)} (revision ${revision.id}) ${verb} ${id}, which is not a revision in this repository.`,
    { fields: { repository, revision: revision.id, file: fileOf(revision), missing: id } },
  );
}

function numberOf(revision: Revision, repository: string): number {
  const n = revision.number ?? (/^\d+$/.test(revision.id) ? Number(revision.id) : NaN);
  if (!Number.isSafeInteger(n) || n < 1 || String(n) !== revision.id) {
    throw new GraphError(
      `Repository ${repository}: ${fileOf(revision)} has no valid version number (id ${revision.id}); numbered scripts are named NNN_slug with NNN from 1 upwards.`,
      { fields: { repository, file: fileOf(revision), revision: revision.id } },
    );
  }
  return n;
}

function checkNumbering(revisions: readonly Revision[], repository: string): void {
  const byNumber = new Map<number, Revision>();
  for (const revision of revisions) {
    const n = numberOf(revision, repository);
    const other = byNumber.get(n);
    if (other !== undefined) {
      throw new GraphError(
        `Repository ${repository}: version ${n} is used by both ${fileOf(other)} and ${fileOf(revision)}; each number may appear once.`,
        { fields: { repository, version: n, files: [fileOf(other), fileOf(revision)] } },
      );
    }
    byNumber.set(n, revision);
  }
  const max = revisions.length;
  for (let n = 1; n <= max; n++) {
    if (byNumber.has(n)) continue;
    const below = byNumber.get(n - 1);
    let next = n + 1;
    while (!byNumber.has(next)) next++;
    const after = byNumber.get(next)!;
    const between = below === undefined ? `before ${fileOf(after)}` : `between ${fileOf(below)} and ${fileOf(after)}`;
    const missing = next - n === 1 ? `version ${n} is missing` : `versions ${n} to ${next - 1} are missing`;
    throw new GraphError(`Repository ${repository}: ${missing} (${between}); numbered versions start at 1 and have no gaps.`, {
      fields: { repository, missing: n, files: [...(below ? [fileOf(below)] : []), fileOf(after)] },
    });
  }
  for (const revision of revisions) {
    const n = Number(revision.id);
    const expected = n === 1 ? [] : [String(n - 1)];
    const parents = revision.parents;
    if (parents.length !== expected.length || parents[0] !== expected[0]) {
      throw new GraphError(
        `Repository ${repository}: ${fileOf(revision)} (version ${n}) revises ${parents.length === 0 ? "nothing" : parents.join(", ")}, but a numbered version revises ${n === 1 ? "nothing" : `version ${n - 1}`}.`,
        { fields: { repository, file: fileOf(revision), revision: revision.id } },
      );
    }
  }
}
