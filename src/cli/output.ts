/**
 * Everything the CLI prints goes through here: text for people, one JSON
 * document for machines (`--json`), nothing but errors with `--quiet`.
 * Errors are one paragraph on stderr; a stack trace only with `--verbose`.
 */
import { fstatSync } from "node:fs";
import type pc from "picocolors";
import { TidemarkError } from "../errors.js";
import { redactCredentials } from "../util/redact.js";
import { flushOut, writeErr, writeOut } from "./write.js";

export interface OutputOptions {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly color: boolean;
}

export type Colors = Pick<typeof pc, "bold" | "dim" | "green" | "red" | "yellow" | "cyan">;

const PLAIN: Colors = {
  bold: String,
  dim: String,
  green: String,
  red: String,
  yellow: String,
  cyan: String,
};

export class Output {
  readonly colors: Colors;

  constructor(readonly options: OutputOptions) {
    // picocolors reads process.stdout when it loads, which costs every start: load it only for colours.
    // A plain require() so that the bundler carries it (evaluated on first use, not at start-up).
    this.colors = options.color ? (require("picocolors") as typeof pc).createColors(true) : PLAIN;
  }

  /** A line of human output (suppressed by --quiet and --json). */
  line(text = ""): void {
    if (this.options.quiet || this.options.json) return;
    writeOut(`${text}\n`);
  }

  /** Output that is the point of the command (e.g. `version`, `--sql`): printed even with --quiet. */
  result(text: string): void {
    if (this.options.json) return;
    writeOut(text.endsWith("\n") ? text : `${text}\n`);
  }

  /** Progress and notes on stderr, so stdout stays clean for pipes. */
  info(text: string): void {
    if (this.options.quiet || this.options.json) return;
    writeErr(`${text}\n`);
  }

  verbose(text: string): void {
    if (!this.options.verbose || this.options.json) return;
    writeErr(`${this.colors.dim(redactCredentials(text))}\n`);
  }

  /** Set once an event was streamed: from then on stdout is NDJSON, so the final document is one line too. */
  private streamed = false;

  json(document: unknown): void {
    if (!this.options.json) return;
    writeOut(`${JSON.stringify(document, jsonReplacer, this.streamed ? undefined : 2)}\n`);
  }

  /** `--json`: one event as one line of JSON, written at once (NDJSON), before the final document. */
  event(event: unknown): void {
    if (!this.options.json) return;
    this.streamed = true;
    writeOut(`${JSON.stringify(event, jsonReplacer)}\n`);
    flushOut();
  }

  error(error: unknown): number {
    const known = error instanceof TidemarkError;
    const exitCode = known ? error.exitCode : 1;
    // A last net: whatever an error carries, no URL password reaches the terminal.
    const message = redactCredentials(error instanceof Error ? error.message : String(error));
    if (this.options.json) {
      writeOut(
        `${JSON.stringify(
          { ok: false, error: { code: known ? error.code : "internal", exitCode, message, ...(known ? error.fields : {}) } },
          jsonReplacer,
          this.streamed ? undefined : 2,
        )}\n`,
      );
    }
    writeErr(`${this.colors.red("error:")} ${message}\n`);
    if (this.options.verbose && error instanceof Error && error.stack !== undefined) {
      writeErr(`${this.colors.dim(redactCredentials(error.stack))}\n`);
      if (error.cause instanceof Error && error.cause.stack !== undefined) {
        writeErr(`${this.colors.dim(`caused by: ${redactCredentials(error.cause.stack)}`)}\n`);
      }
    } else if (!known) {
      writeErr("This is a bug in tidemark; run with --verbose for the stack trace.\n");
    }
    return exitCode;
  }
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Set) return [...value];
  if (value instanceof Map) return Object.fromEntries(value);
  return value;
}

export function colorWanted(flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  return isTerminal(1);
}

/**
 * Whether a descriptor is a terminal, without touching process.stdout
 * (whose creation loads the stream machinery). A character device is a
 * terminal here; /dev/null is one too, and colours there harm nobody.
 */
export function isTerminal(fd: number): boolean {
  try {
    return fstatSync(fd).isCharacterDevice();
  } catch {
    return false;
  }
}
