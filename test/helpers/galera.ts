/**
 * A real 3-node MariaDB Galera cluster for the Galera tests, started and
 * stopped by scripts/galera-cluster.sh (its own datadirs, ports and sockets
 * under /tmp, beside the machine's MariaDB on 3306).
 *
 * TIDEMARK_TEST_GALERA_URLS (comma-separated mysql:// URLs, one per node)
 * points the suite at a cluster of the user's instead: then nothing is
 * started or stopped, and the tests that stop a node are left out.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import type { Connection } from "../../src/dialects/dialect.js";
import { connectMysqlNode } from "../../src/dialects/mysql/galera-session.js";
import { inCi, uniqueName, withDatabase } from "./databases.js";

export const GALERA_SCRIPT = fileURLToPath(new URL("../../scripts/galera-cluster.sh", import.meta.url));
const PROVIDER = "/usr/lib/galera/libgalera_smm.so";

export interface GaleraCluster {
  /** One admin URL per node (database `mysql`). */
  readonly urls: readonly string[];
  /** False for a user's cluster (TIDEMARK_TEST_GALERA_URLS): nodes cannot be stopped. */
  readonly managed: boolean;
  /** Kills node `n` (1-based), as a crash or a network loss would. */
  stopNode(n: number): Promise<void>;
  /** Lets node `n` rejoin and waits until it is Synced. */
  startNode(n: number): Promise<void>;
  stop(): Promise<void>;
}

export interface GaleraDatabase {
  readonly name: string;
  /** The database on each node, in node order. */
  readonly urls: readonly string[];
  drop(): Promise<void>;
}

/**
 * Should the Galera suite run here? Always in CI (where a cluster that cannot
 * start fails the suite); locally when a cluster URL is given or galera-4 is installed.
 */
export function galeraEnabled(): boolean {
  if (inCi() || externalUrls() !== undefined) return true;
  if (existsSync(PROVIDER)) return true;
  console.warn(
    `note: skipping the Galera tests, ${PROVIDER} is missing (apt-get install galera-4 rsync), set CI=true to require them.`,
  );
  return false;
}

function externalUrls(): string[] | undefined {
  const text = process.env["TIDEMARK_TEST_GALERA_URLS"];
  if (text === undefined || text.trim() === "") return undefined;
  return text
    .split(",")
    .map((url) => url.trim())
    .filter((url) => url !== "");
}

function script(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [GALERA_SCRIPT, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`galera-cluster.sh ${args.join(" ")} exited with ${String(code)}:\n${stderr}`));
    });
  });
}

export async function startGalera(): Promise<GaleraCluster> {
  const given = externalUrls();
  if (given !== undefined) {
    const refuse = () =>
      Promise.reject(new Error("TIDEMARK_TEST_GALERA_URLS: the suite does not stop or start nodes of your cluster"));
    return { urls: given, managed: false, stopNode: refuse, startNode: refuse, stop: () => Promise.resolve() };
  }
  const output = await script(["start"]);
  const urls = output.split("\n").filter((line) => line.startsWith("mysql://"));
  const dir = output
    .split("\n")
    .find((line) => line.startsWith("dir="))
    ?.slice(4);
  if (urls.length !== 3 || dir === undefined) throw new Error(`galera-cluster.sh start printed no cluster:\n${output}`);
  // A test run that dies without afterAll must not leave three servers behind.
  const stopAtExit = () => spawnSync("bash", [GALERA_SCRIPT, "stop", dir], { stdio: "ignore" });
  process.once("exit", stopAtExit);
  let stopped = false;
  return {
    urls,
    managed: true,
    stopNode: async (n) => void (await script(["stop-node", dir, String(n)])),
    startNode: async (n) => void (await script(["start-node", dir, String(n)])),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      process.off("exit", stopAtExit);
      await script(["stop", dir]);
    },
  };
}

/** tidemark's own kind of connection to a node: causal reads, so a read on one node sees what another committed. */
export function connectNode(url: string): Promise<Connection> {
  return connectMysqlNode(parseDatabaseUrl(url), { connectTimeoutSeconds: 10 });
}

/** A fresh database, created through node 1 (DDL replicates to every node under TOI). */
export async function createGaleraDatabase(cluster: GaleraCluster, prefix = "tidemark_galera"): Promise<GaleraDatabase> {
  const name = uniqueName(prefix);
  const admin = await connectNode(cluster.urls[0]!);
  try {
    await admin.execute(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.close();
  }
  const urls = cluster.urls.map((url) => withDatabase(url, name));
  let dropped = false;
  return {
    name,
    urls,
    async drop() {
      if (dropped) return;
      dropped = true;
      // Through any node that still answers: a test may have stopped one.
      for (const url of cluster.urls) {
        try {
          const connection = await connectNode(url);
          try {
            await connection.execute(`DROP DATABASE IF EXISTS \`${name}\``);
            return;
          } finally {
            await connection.close();
          }
        } catch {
          // Try the next node.
        }
      }
    },
  };
}

/** Runs `sql` on one node and returns the rows. */
export async function queryNode(url: string, sql: string, params: readonly unknown[] = []): Promise<Record<string, unknown>[]> {
  const connection = await connectNode(url);
  try {
    return await connection.query(sql, params);
  } finally {
    await connection.close();
  }
}

/**
 * An application's write on a node, retried as Galera asks of applications:
 * a DDL replicated from another node (total order isolation) that is still
 * being applied here aborts a write in its way with a deadlock error (1213).
 */
export async function writeOnNode(url: string, sql: string, params: readonly unknown[] = []): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await queryNode(url, sql, params);
      return;
    } catch (error) {
      const errno = (error as { fields?: { errno?: unknown } }).fields?.errno;
      if (errno !== 1213 || attempt === 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}
