// The second floor of the per-step workloads: the database's own client
// running the migrations' statements AND the bookkeeping tidemark writes
// around each one online — the same statements, the same commits, the same
// round trips where the client can send several at once (psql's `\;`).
// Against this floor, tidemark's ratio is the cost of tidemark as a program
// (start-up, planning, the driver, the runner); the gap between this floor
// and the plain one is what recording each step in the database costs,
// whichever tool does it:
//   SQLite     BEGIN IMMEDIATE; version UPDATE; statement; PRAGMA foreign_key_check;
//              log INSERT; COMMIT — with the journal kept between commits (PERSIST)
//   PostgreSQL BEGIN \; fenced version UPDATE \; statement \; log INSERT \; COMMIT — 1 round trip, as
//              tidemark sends a step, its fence in the same words (a CTE that fails the message when the
//              UPDATE changed no row); psql cannot pipeline steps as tidemark does, one behind the other
//   MariaDB    fenced `running` log INSERT (autocommit); START TRANSACTION; statement;
//              version + log UPDATE (one multi-table statement); COMMIT — 3 durable commits
import { QUOTE } from "./peers.mjs";

const CHECKSUM = "0".repeat(64);
const STAMP = "2026-01-01 00:00:00.000";

const TABLES = {
  sqlite: [
    "PRAGMA journal_mode = PERSIST;",
    "PRAGMA foreign_keys = OFF;",
    `CREATE TABLE "tidemark_version" ("repository" text NOT NULL, "phase" text NOT NULL DEFAULT '', "version" text NOT NULL, PRIMARY KEY ("repository", "phase", "version"));`,
    `CREATE TABLE "tidemark_log" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "repository" text NOT NULL, "revision" text NOT NULL, "phase" text NOT NULL DEFAULT '', "direction" text NOT NULL, "checksum" text, "status" text NOT NULL, "started_at" text NOT NULL, "finished_at" text, "error" text, "progress" text);`,
    `CREATE INDEX "ix_tidemark_log_status" ON "tidemark_log" ("repository", "status");`,
  ],
  postgres: [
    `CREATE TABLE "tidemark_version" ("repository" varchar(255) NOT NULL, "phase" varchar(16) NOT NULL DEFAULT '', "version" varchar(255) NOT NULL, PRIMARY KEY ("repository", "phase", "version"));`,
    `CREATE TABLE "tidemark_log" ("id" serial PRIMARY KEY, "repository" varchar(255) NOT NULL, "revision" varchar(255) NOT NULL, "phase" varchar(16) NOT NULL DEFAULT '', "direction" varchar(8) NOT NULL, "checksum" varchar(64), "status" varchar(16) NOT NULL, "started_at" varchar(32) NOT NULL, "finished_at" varchar(32), "error" text, "progress" varchar(255));`,
    `CREATE INDEX "ix_tidemark_log_status" ON "tidemark_log" ("repository", "status");`,
  ],
  mysql: [
    "CREATE TABLE `tidemark_version` (`repository` varchar(255) NOT NULL, `phase` varchar(16) NOT NULL DEFAULT '', `version` varchar(255) NOT NULL, PRIMARY KEY (`repository`, `phase`, `version`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;",
    "CREATE TABLE `tidemark_log` (`id` int NOT NULL AUTO_INCREMENT PRIMARY KEY, `repository` varchar(255) NOT NULL, `revision` varchar(255) NOT NULL, `phase` varchar(16) NOT NULL DEFAULT '', `direction` varchar(8) NOT NULL, `checksum` varchar(64), `status` varchar(16) NOT NULL, `started_at` varchar(32) NOT NULL, `finished_at` varchar(32), `error` longtext, `progress` varchar(255)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;",
    "CREATE INDEX `ix_tidemark_log_status` ON `tidemark_log` (`repository`, `status`);",
  ],
};

function q(dialect, name) {
  return `${QUOTE[dialect]}${name}${QUOTE[dialect]}`;
}

/** The version row moved from `n - 1` to `n`, fenced like tidemark's (the step's compare-and-set). */
function versionUpdate(dialect, n) {
  const t = (name) => q(dialect, name);
  return `UPDATE ${t("tidemark_version")} SET ${t("version")} = '${n}' WHERE ${t("repository")} = 'core' AND ${t("phase")} = '' AND ${t("version")} = '${n - 1}'`;
}

function logInsert(dialect, n, status) {
  const t = (name) => q(dialect, name);
  const columns = ["repository", "revision", "phase", "direction", "checksum", "status", "started_at", "finished_at"]
    .map(t)
    .join(", ");
  const finished = status === "done" ? `'${STAMP}'` : "NULL";
  return `INSERT INTO ${t("tidemark_log")} (${columns}) VALUES ('core', '${n}', '', 'up', '${CHECKSUM}', '${status}', '${STAMP}', ${finished})`;
}

function mysqlStep(statement, n) {
  const fencedRunning =
    `${logInsert("mysql", n, "running").replace(" VALUES (", " SELECT ").replace(/\)$/, "")} FROM DUAL WHERE ` +
    `(SELECT COUNT(*) FROM \`tidemark_version\` WHERE \`repository\` = 'core' AND \`phase\` = '') = 1 AND ` +
    `(SELECT COUNT(*) FROM \`tidemark_version\` WHERE \`repository\` = 'core' AND \`phase\` = '' AND \`version\` IN ('${n - 1}')) = 1;`;
  const close =
    `UPDATE \`tidemark_version\` v, \`tidemark_log\` l SET v.\`version\` = '${n}', l.\`status\` = 'done', ` +
    `l.\`finished_at\` = '${STAMP}' WHERE v.\`repository\` = 'core' AND v.\`phase\` = '' AND v.\`version\` = '${n - 1}' ` +
    `AND l.\`repository\` = 'core' AND l.\`revision\` = '${n}' AND l.\`phase\` = '' AND l.\`direction\` = 'up' AND l.\`status\` = 'running';`;
  return [fencedRunning, "START TRANSACTION;", `${statement};`, close, "COMMIT;"];
}

/** The whole script for `count` steps of `statement(dialect, n)`, for the client as the plain floor runs it. */
export function bookkeepingFloorSql(dialect, count, statement) {
  const lines = [];
  if (dialect === "sqlite") lines.push(".bail on");
  if (dialect === "postgres") lines.push("\\set ON_ERROR_STOP on", "SET client_min_messages = warning;");
  lines.push(...TABLES[dialect]);
  lines.push(`INSERT INTO ${q(dialect, "tidemark_version")} VALUES ('core', '', '0');`);
  for (let n = 1; n <= count; n++) {
    if (dialect === "sqlite") {
      lines.push(
        "BEGIN IMMEDIATE;",
        `${versionUpdate(dialect, n)};`,
        `${statement(dialect, n)};`,
        "PRAGMA foreign_key_check;",
        `${logInsert(dialect, n, "done")};`,
        "COMMIT;",
      );
    } else if (dialect === "postgres") {
      const fenced =
        `WITH fenced AS (${versionUpdate(dialect, n)} RETURNING 1) SELECT CASE WHEN count(*) = 1 THEN count(*) ` +
        "ELSE ('tidemark fence moved ' || count(*))::int END AS moved FROM fenced";
      lines.push(`BEGIN \\; ${fenced} \\; ${statement(dialect, n)} \\; ${logInsert(dialect, n, "done")} \\; COMMIT;`);
    } else {
      lines.push(...mysqlStep(statement(dialect, n), n));
    }
  }
  return `${lines.join("\n")}\n`;
}
