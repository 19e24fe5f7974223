/**
 * Writing new scripts: `revision` (a blank script on top of a head) and
 * `merge` (a script whose parents are several heads). The graph decides the
 * parents; the scaffold renders the file; nothing touches the database.
 */
import { join } from "node:path";
import { existsSync } from "node:fs";
import { newRevisionId, writeRevisionFile } from "../repo/scaffold.js";
import { resolveTarget } from "../graph/target.js";
import { UsageError } from "../errors.js";
import type { RepositoryHandle } from "./project.js";
import type { MergeOptions, NewRevisionOptions, WrittenRevision } from "./types.js";
import type { IdScheme } from "../graph/revision.js";

/** New scripts go where the existing ones are: `versions/` when the repository has one. */
function scriptsDir(repository: RepositoryHandle): string {
  const versions = join(repository.config.path, "versions");
  return existsSync(versions) ? versions : repository.scan.scriptsDir;
}

function schemeOf(repository: RepositoryHandle): IdScheme {
  return repository.map.size === 0 ? (repository.config.scheme ?? repository.scheme) : repository.scheme;
}

function resolveOne(repository: RepositoryHandle, target: string, what: string): string[] {
  const resolved = resolveTarget(repository.map, target, [], repository.scheme);
  if (resolved.kind === "base") return [];
  if (resolved.ids.length !== 1) {
    throw new UsageError(`${what} "${target}" names ${resolved.ids.length} revisions (${resolved.ids.join(", ")}); name one.`);
  }
  return [...resolved.ids];
}

export function writeNewRevision(repository: RepositoryHandle, options: NewRevisionOptions): WrittenRevision {
  if (repository.scan.layout === "keystone") {
    throw new UsageError(
      `Repository ${repository.config.name} uses the keystone three-folder layout; add a script to each of ` +
        "expand_repo, data_migration_repo and contract_repo by hand (same number in all three).",
    );
  }
  const { map } = repository;
  const scheme = schemeOf(repository);
  let parents: string[];
  if (options.head !== undefined) {
    parents = resolveOne(repository, options.head, "--head");
  } else {
    const heads = map.heads();
    if (heads.length > 1) {
      throw new UsageError(
        `Repository ${repository.config.name} has several heads (${heads.join(", ")}): say which one the new ` +
          "revision builds on with --head, or merge them first (`tidemark merge`).",
      );
    }
    parents = [...heads];
  }
  if (scheme === "numbered") {
    const top = map.revisions.reduce((max, revision) => Math.max(max, revision.number ?? 0), 0);
    if (top > 0 && parents.length === 0) {
      throw new UsageError(`A numbered repository is a line: a new version can only follow ${top}, not start at base.`);
    }
    if (parents.length === 1 && Number(parents[0]) !== top) {
      throw new UsageError(`A numbered repository is a line: a new version can only follow ${top}, not ${parents[0]}.`);
    }
    if (options.branchLabel !== undefined) throw new UsageError("Branch labels need the graph id scheme.");
  }
  // A branch label is kept as written (as Alembic does): the dependency follows the label, not one id.
  const dependsOn = (options.dependsOn ?? []).flatMap((target) =>
    map.labels.has(target) ? [target] : resolveOne(repository, target, "--depends-on"),
  );
  const id =
    scheme === "numbered"
      ? String(map.revisions.reduce((max, revision) => Math.max(max, revision.number ?? 0), 0) + 1)
      : newRevisionId();
  const file = writeRevisionFile(scriptsDir(repository), {
    scheme,
    id,
    language: options.language ?? "ts",
    rolling: options.rolling ?? repository.rolling,
    message: options.message,
    parents,
    dependsOn,
    branchLabels: options.branchLabel === undefined ? [] : [options.branchLabel],
    ...(options.transactional === false ? { transactional: false } : {}),
    ...(options.bodyText === undefined ? {} : { bodyText: options.bodyText }),
    ...(repository.config.fileTemplate === undefined ? {} : { fileTemplate: repository.config.fileTemplate }),
  });
  return { repository: repository.config.name, id, file, parents };
}

export function writeMerge(repository: RepositoryHandle, revisions: readonly string[], options: MergeOptions): WrittenRevision {
  const { map } = repository;
  if (repository.scheme === "numbered" && map.size > 0) {
    throw new UsageError("A numbered repository is a line and cannot branch, so there is nothing to merge.");
  }
  const parents =
    revisions.length === 0 ? [...map.heads()] : [...new Set(revisions.flatMap((rev) => resolveOne(repository, rev, "Revision")))];
  if (parents.length < 2) {
    throw new UsageError(
      `Nothing to merge in repository ${repository.config.name}: a merge needs at least two heads, found ${parents.length === 0 ? "none" : parents.join(", ")}.`,
    );
  }
  const id = newRevisionId();
  const file = writeRevisionFile(scriptsDir(repository), {
    scheme: "graph",
    id,
    language: options.language ?? "ts",
    rolling: repository.rolling,
    message: options.message,
    parents,
    ...(repository.config.fileTemplate === undefined ? {} : { fileTemplate: repository.config.fileTemplate }),
  });
  return { repository: repository.config.name, id, file, parents };
}
