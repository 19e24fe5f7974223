// The application during a backfill bench: 200 single-row UPDATEs a second
// on random rows (a column the backfill does not touch), each timed from
// send to answer. Prints "ready" once connected; on SIGTERM prints
// {"writes":…,"p50_ms":…,"p99_ms":…} and exits.
//   node bench/backfill-writer.mjs <postgres|mysql|sqlite> <url-or-file> <rows> [rate]
const [dialect, target, rowsText, rateText] = process.argv.slice(2);
const rows = Number(rowsText);
const rate = Number(rateText ?? 200);

async function connect() {
  if (dialect === "postgres") {
    const { default: pg } = await import("pg");
    const client = new pg.Client({ connectionString: target });
    await client.connect();
    return (id) => client.query("UPDATE items SET touched = touched + 1 WHERE id = $1", [id]);
  }
  if (dialect === "mysql") {
    const { default: mysql } = await import("mysql2/promise");
    const conn = await mysql.createConnection(target);
    return (id) => conn.query("UPDATE items SET touched = touched + 1 WHERE id = ?", [id]);
  }
  const { default: Database } = await import("better-sqlite3");
  const db = new Database(target);
  db.pragma("busy_timeout = 10000");
  const update = db.prepare("UPDATE items SET touched = touched + 1 WHERE id = ?");
  return async (id) => update.run(id);
}

const write = await connect();
const latencies = [];
let stopping = false;
process.on("SIGTERM", () => {
  stopping = true;
});
process.stdout.write("ready\n");
const interval = 1000 / rate;
let planned = performance.now();
while (!stopping) {
  const id = 1 + Math.floor(Math.random() * rows);
  const began = performance.now();
  await write(id);
  latencies.push(performance.now() - began);
  planned += interval;
  const wait = planned - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  else planned = performance.now();
}
latencies.sort((a, b) => a - b);
const at = (q) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0) * 100) / 100;
process.stdout.write(`${JSON.stringify({ writes: latencies.length, p50_ms: at(0.5), p99_ms: at(0.99) })}\n`);
process.exit(0);
