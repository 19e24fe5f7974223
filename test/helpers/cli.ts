/** Drives the built CLI (dist/cli/tidemark.cjs) as a user would: a real process, exit code, stdout, stderr. */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../../dist/cli/tidemark.cjs", import.meta.url));

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(
  args: readonly string[],
  options: {
    readonly cwd: string;
    readonly env?: Readonly<Record<string, string | undefined>>;
    readonly timeoutMs?: number;
    /** Another copy of the CLI (default: the built one, BIN). */
    readonly bin?: string;
  },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries({ ...process.env, NO_COLOR: "1", ...options.env })) {
      if (value !== undefined && key !== "DATABASE_URL") env[key] = value;
    }
    if (options.env?.DATABASE_URL !== undefined) env.DATABASE_URL = options.env.DATABASE_URL;
    const child = spawn(process.execPath, [options.bin ?? BIN, ...args], {
      cwd: options.cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/**
 * stderr without the line naming the database, which every command that
 * changes the database prints first (issue 17): what else a command said.
 */
export function besideTarget(stderr: string): string {
  return stderr.replace(/^Database: [^\n]*\n/, "");
}

/** A CLI run in the background: the child (to signal it) and its result when it ends. */
export function startCli(
  args: readonly string[],
  options: { readonly cwd: string; readonly env?: Readonly<Record<string, string | undefined>> },
): { readonly child: ChildProcess; readonly done: Promise<CliResult & { readonly ms: number }> } {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, NO_COLOR: "1", ...options.env })) {
    if (value !== undefined && key !== "DATABASE_URL") env[key] = value;
  }
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliResult & { readonly ms: number }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({ code: code ?? (signal === null ? -1 : -2), stdout, stderr, ms: performance.now() - started }),
    );
  });
  return { child, done };
}
