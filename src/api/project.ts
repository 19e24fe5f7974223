/**
 * Everything tidemark knows before it touches a database: the resolved
 * configuration and, per repository, its scripts' headers and revision
 * graph. Loading a project validates all of it, so a broken graph or config
 * is refused before any connection is opened.
 */
import type { ResolvedConfig, ResolvedRepository } from "../config/types.js";
import { RevisionMap } from "../graph/revision-map.js";
import type { IdScheme } from "../graph/revision.js";
import { scanRepository, type RepositoryScan } from "../repo/repository.js";
import { UsageError } from "../errors.js";

export interface RepositoryHandle {
  readonly config: ResolvedRepository;
  readonly scan: RepositoryScan;
  readonly map: RevisionMap;
  readonly scheme: IdScheme;
  readonly rolling: boolean;
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
    const scan = scanRepository(config.path, { name: config.name });
    const scheme = config.scheme ?? scan.scheme;
    const map = new RevisionMap(scan.revisions, { scheme, repository: config.name });
    const rolling = config.rolling ?? scan.rolling;
    const handle: RepositoryHandle = { config, scan, map, scheme, rolling };
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
