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
  readonly statementTimeout?: string;
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
    return seconds("--lock-timeout", this.globals.lockTimeout);
  }

  statementTimeoutSeconds(): number | undefined {
    return seconds("--statement-timeout", this.globals.statementTimeout);
  }

  /**
   * Set while a command runs steps that can stop cleanly (after the current
   * batch or step): the first Ctrl-C asks for that; returns false when there
   * is nothing to stop cleanly.
   */
  gracefulStop: (() => boolean) | undefined;

  /** SIGINT/SIGTERM while steps run: true when the API took it (it cancels the statement running and stops). */
  interrupt(signal: string): boolean {
    return this.opened?.interrupt(signal) ?? false;
  }

  async tidemark(): Promise<Tidemark> {
    if (this.opened === undefined) {
      const lockTimeoutSeconds = this.lockTimeoutSeconds();
      const statementTimeoutSeconds = this.statementTimeoutSeconds();
      this.opened = await Tidemark.open({
        ...(this.globals.config === undefined ? {} : { configFiles: this.globals.config }),
        ...(this.globals.url === undefined ? {} : { url: this.globals.url }),
        ...(lockTimeoutSeconds === undefined ? {} : { lockTimeoutSeconds }),
        ...(statementTimeoutSeconds === undefined ? {} : { statementTimeoutSeconds }),
        singleTransaction: this.globals.singleTransaction === true,
        ...(this.globals.schema === undefined ? {} : { dbSchema: this.globals.schema }),
      });
      this.opened.on((event) => {
        if (event.type === "notice") this.out.info(`note: ${event.message}`);
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

function seconds(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || value < 0) {
    throw new UsageError(`${flag} must be a number of seconds (0 or more), not "${raw}".`);
  }
  return value;
}
