/** What every command handler receives: parsed global options, the output, and the API opened on demand. */
import { Tidemark } from "../api/tidemark.js";
import { UsageError } from "../errors.js";
import type { Output } from "./output.js";

export interface GlobalOptions {
  readonly config?: readonly string[];
  readonly url?: string;
  readonly repo?: string;
  readonly extension?: string;
  readonly all?: boolean;
  readonly json?: boolean;
  readonly verbose?: boolean;
  readonly quiet?: boolean;
  readonly color?: boolean;
  readonly lockTimeout?: string;
  readonly singleTransaction?: boolean;
  readonly schema?: string;
}

export class CommandContext {
  private opened: Tidemark | undefined;

  constructor(
    readonly globals: GlobalOptions,
    readonly out: Output,
  ) {}

  /** `--repo` and `--extension` are the same option (keystone calls repositories extensions). */
  get repo(): string | undefined {
    const { repo, extension } = this.globals;
    if (repo !== undefined && extension !== undefined && repo !== extension) {
      throw new UsageError(`--repo ${repo} and --extension ${extension} name different repositories; give one.`);
    }
    return repo ?? extension;
  }

  get selection(): { repo?: string; all?: boolean } {
    const repo = this.repo;
    return { ...(repo === undefined ? {} : { repo }), ...(this.globals.all === true ? { all: true } : {}) };
  }

  lockTimeoutSeconds(): number | undefined {
    const raw = this.globals.lockTimeout;
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) {
      throw new UsageError(`--lock-timeout must be a number of seconds (0 or more), not "${raw}".`);
    }
    return value;
  }

  async tidemark(): Promise<Tidemark> {
    if (this.opened === undefined) {
      const lockTimeoutSeconds = this.lockTimeoutSeconds();
      this.opened = await Tidemark.open({
        ...(this.globals.config === undefined ? {} : { configFiles: this.globals.config }),
        ...(this.globals.url === undefined ? {} : { url: this.globals.url }),
        ...(lockTimeoutSeconds === undefined ? {} : { lockTimeoutSeconds }),
        singleTransaction: this.globals.singleTransaction === true,
        ...(this.globals.schema === undefined ? {} : { dbSchema: this.globals.schema }),
      });
      if (this.globals.verbose === true) {
        this.opened.on((event) => {
          if (event.type === "statement") this.out.verbose(event.sql);
        });
      }
    }
    return this.opened;
  }

  async close(): Promise<void> {
    await this.opened?.close();
  }
}
