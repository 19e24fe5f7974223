/**
 * Everything tidemark knows before it touches a database: the resolved
 * configuration and, per repository, its scripts' headers and revision
 * graph. Loading a project validates all of it, so a broken graph or config
 * is refused before any connection is opened.
 */
import type { ResolvedConfig, ResolvedRepository } from "../config/types.js";
import { RevisionMap } from "../graph/revision-map.js";
import { revisionFile, type IdScheme, type Revision } from "../graph/revision.js";
import { scanRepository, type RepositoryScan } from "../repo/repository.js";
import { UsageError } from "../errors.js";

export interface RepositoryHandle {
  readonly config: ResolvedRepository;
  readonly scan: RepositoryScan;
  readonly map: RevisionMap;
  readonly scheme: IdScheme;
  readonly rolling: boolean;
  /** Revision id → the other repositories' revisions it needs (`dependsOn: ["core@003"]`). */
  readonly external: ReadonlyMap<string, readonly ExternalDependency[]>;
}

export interface ExternalDependency {
  readonly repository: string;
  readonly target: string;
  /** Where it was declared, for messages. */
  readonly declaredBy: string;
}

/**
 * A revision's `dependsOn` may name another repository's revision as
 * `REPO@TARGET`; those edges leave this repository's graph and are checked
 * against the other repository's version rows when the revision runs.
 */
function splitExternalDependencies(
  revisions: readonly Revision[],
  self: string,
  repositories: ReadonlySet<string>,
): { revisions: Revision[]; external: Map<string, ExternalDependency[]> } {
  const external = new Map<string, ExternalDependency[]>();
  const kept = revisions.map((revision) => {
    const outside = revision.dependsOn.filter((dep) => {
      const at = dep.indexOf("@");
      return at > 0 && dep.slice(0, at) !== self && repositories.has(dep.slice(0, at));
    });
    if (outside.length === 0) return revision;
    const file = revisionFile(revision) ?? revision.id;
    external.set(
      revision.id,
      outside.map((dep) => ({
        repository: dep.slice(0, dep.indexOf("@")),
        target: dep.slice(dep.indexOf("@") + 1),
        declaredBy: file,
      })),
    );
    return { ...revision, dependsOn: revision.dependsOn.filter((dep) => !outside.includes(dep)) };
  });
  return { revisions: kept, external };
}

export interface RepositorySelection {
  /** `--repo NAME` / `--extension NAME`. */
  readonly repo?: string;
  /** `--all`: every repository, in config order. */
  readonly all?: boolean;
}

export class Project {
  private readonly handles = new Map<string, RepositoryHandle>();

  constructor(readonly config: ResolvedConfig) {}

  get repositoryNames(): readonly string[] {
    return this.config.repositories.map((repository) => repository.name);
  }

  /** Scans a repository's scripts (headers only) and builds its graph, once. */
  repository(name: string): RepositoryHandle {
    const cached = this.handles.get(name);
    if (cached !== undefined) return cached;
    const config = this.config.repositories.find((repository) => repository.name === name);
    if (config === undefined) {
      throw new UsageError(
        `Unknown repository or extension "${name}". Configured: ${this.repositoryNames.join(", ") || "(none)"}.`,
      );
    }
    const scan = scanRepository(config.path, {
      name: config.name,
      ...(config.scheme === undefined ? {} : { scheme: config.scheme }),
    });
    const scheme = config.scheme ?? scan.scheme;
    const { revisions, external } = splitExternalDependencies(scan.revisions, config.name, new Set(this.repositoryNames));
    const map = new RevisionMap(revisions, { scheme, repository: config.name });
    const rolling = config.rolling ?? scan.rolling;
    const handle: RepositoryHandle = { config, scan, map, scheme, rolling, external };
    this.handles.set(name, handle);
    return handle;
  }

  /** Commands that change the database: core unless --repo or --all. */
  select(selection: RepositorySelection): RepositoryHandle[] {
    if (selection.all === true && selection.repo !== undefined) {
      throw new UsageError("Give either --repo/--extension or --all, not both.");
    }
    if (selection.all === true) return this.repositoryNames.map((name) => this.repository(name));
    return [this.repository(selection.repo ?? this.defaultRepositoryName())];
  }

  /** Commands that only report: every repository unless --repo says otherwise. */
  selectForReport(selection: RepositorySelection): RepositoryHandle[] {
    if (selection.repo !== undefined) return [this.repository(selection.repo)];
    return this.repositoryNames.map((name) => this.repository(name));
  }

  defaultRepositoryName(): string {
    if (this.config.repositories.some((repository) => repository.name === "core")) return "core";
    const first = this.config.repositories.find((repository) => !repository.extension) ?? this.config.repositories[0];
    if (first === undefined) throw new UsageError("No repository is configured.");
    return first.name;
  }
}
