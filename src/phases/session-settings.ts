/**
 * Closed rules for session settings: a `SET` is harmless only when it sets
 * a variable known to change nothing but timeouts, memory, messages or the
 * planner. Anything else may change how the next statements are read
 * (`standard_conforming_strings`, `sql_mode` with NO_BACKSLASH_ESCAPES,
 * `SET NAMES`), turn checks off (`foreign_key_checks`,
 * `session_replication_role` disables triggers), shadow built-ins
 * (`search_path`), change who runs (`SET ROLE`) or reach other sessions
 * (`SET GLOBAL`), so it is opaque to the classifier and refused in every
 * rolling phase unless marked unsafe.
 */
import type { Change } from "./classification.js";
import type { Token } from "../sql/tokens.js";
import { Cursor, splitTopLevel } from "../sql/token-cursor.js";

const POSTGRES_SAFE = new Set([
  "lock_timeout",
  "statement_timeout",
  "idle_in_transaction_session_timeout",
  "idle_session_timeout",
  "transaction_timeout",
  "application_name",
  "client_min_messages",
  "timezone",
  "work_mem",
  "maintenance_work_mem",
  "max_parallel_maintenance_workers",
  "max_parallel_workers_per_gather",
  "synchronous_commit",
  "transaction_isolation",
  "default_transaction_isolation",
  "escape_string_warning",
  "extra_float_digits",
  "lc_messages",
  "jit",
  "random_page_cost",
  "seq_page_cost",
  "effective_cache_size",
  "temp_buffers",
  "check_function_bodies",
  // SET TRANSACTION … / SET SESSION CHARACTERISTICS AS TRANSACTION …
  "transaction",
  "session characteristics",
]);

const MYSQL_SAFE = new Set([
  "lock_wait_timeout",
  "innodb_lock_wait_timeout",
  "max_statement_time",
  "max_execution_time",
  "wait_timeout",
  "interactive_timeout",
  "net_read_timeout",
  "net_write_timeout",
  "sort_buffer_size",
  "join_buffer_size",
  "tmp_table_size",
  "max_heap_table_size",
  "group_concat_max_len",
  "time_zone",
  "transaction_isolation",
  "tx_isolation",
  "alter_algorithm",
  "sql_notes",
  "sql_warnings",
  "sql_safe_updates",
  "max_sort_length",
  "long_query_time",
  "optimizer_switch",
  "default_storage_engine",
  "innodb_default_row_format",
  "profiling",
]);

export const SETTING_EFFECT =
  "changes a session setting tidemark cannot vouch for: it may change how the next statements are read " +
  "(standard_conforming_strings, sql_mode, SET NAMES), turn checks or triggers off (foreign_key_checks, " +
  "session_replication_role), shadow built-in functions (search_path) or reach other sessions (GLOBAL)";

function opaque(name: string): Change {
  return { category: "unknown", what: `SET ${name}`, effect: SETTING_EFFECT };
}

/** A PostgreSQL `SET` / `RESET` of `name` (as the parser gives it; undefined for RESET ALL). */
export function postgresSetting(name: string | undefined, reset: boolean): Change {
  if (name === undefined) return opaque("RESET ALL");
  const lower = name.toLowerCase();
  const what = `${reset ? "RESET" : "SET"} ${lower}`;
  if (POSTGRES_SAFE.has(lower) || lower.startsWith("enable_")) return { category: "neutral", what };
  return { ...opaque(lower), what };
}

/** A MySQL/MariaDB `SET …` (the cursor stands on SET). */
export function mysqlSet(c: Cursor): Change {
  c.i++;
  const first = c.word();
  if (first === "TRANSACTION") return { category: "neutral", what: "SET TRANSACTION" };
  if (
    ["NAMES", "CHARACTER", "CHARSET", "PASSWORD", "ROLE", "DEFAULT", "STATEMENT", "GLOBAL", "PERSIST", "PERSIST_ONLY"].includes(
      first,
    )
  ) {
    return opaque(first === "CHARACTER" ? "CHARACTER SET" : first);
  }
  if ((first === "SESSION" || first === "LOCAL") && c.word(1) === "TRANSACTION") {
    return { category: "neutral", what: "SET SESSION TRANSACTION" };
  }
  const names: string[] = [];
  for (const part of splitTopLevel(c.rest())) {
    const name = variableName(part);
    if (name === undefined) return opaque(part[0]?.text ?? "");
    if (name.startsWith("@") && !name.startsWith("@@")) {
      names.push(name);
      continue;
    }
    const bare = name
      .replace(/^@@/, "")
      .replace(/^(session|local)\./i, "")
      .toLowerCase();
    if (/^(global|persist|persist_only)\./i.test(name.replace(/^@@/, ""))) return opaque(name);
    if (!MYSQL_SAFE.has(bare)) return opaque(bare);
    names.push(bare);
  }
  return { category: "neutral", what: `SET ${names.join(", ")}` };
}

/** `[SESSION|LOCAL] name = …`, `@@session.name = …`, `@user = …`; undefined when the shape is not one of these. */
function variableName(part: readonly Token[]): string | undefined {
  const c = new Cursor(part);
  if (c.word() === "GLOBAL" || c.word() === "PERSIST" || c.word() === "PERSIST_ONLY") return `global.${c.word(1)}`;
  c.accept("SESSION") || c.accept("LOCAL");
  const t = part[c.i];
  if (t === undefined) return undefined;
  if (t.kind === "variable") return t.text.startsWith("@@") ? t.text : `@${t.value.replace(/^@/, "")}`;
  if (t.kind === "word" || t.kind === "quoted") return t.value;
  return undefined;
}
