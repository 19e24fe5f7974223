/**
 * Backfill progress: a bar on a terminal (stderr), and the events collected
 * for the `--json` document. cli-progress loads only when a bar is drawn.
 */
import { createRequire } from "node:module";
import type { Tidemark } from "../../api/tidemark.js";
import type { BackfillProgress } from "../../api/types.js";
import { isTerminal, type Output } from "../output.js";

interface Bar {
  start(total: number, value: number): void;
  update(value: number): void;
  stop(): void;
}

export function trackBackfills(tidemark: Tidemark, out: Output): { readonly events: BackfillProgress[]; stop(): void } {
  const events: BackfillProgress[] = [];
  const drawBars = isTerminal(2) && !out.options.json && !out.options.quiet;
  let bar: Bar | undefined;
  let table: string | undefined;
  const unsubscribe = tidemark.on((event) => {
    if (event.type !== "progress") return;
    events.push(event);
    if (!drawBars) return;
    if (bar === undefined || table !== event.table) {
      bar?.stop();
      const { SingleBar, Presets } = createRequire(import.meta.url)("cli-progress") as typeof import("cli-progress");
      bar = new SingleBar(
        { format: `backfill ${event.table} [{bar}] {value}/{total} rows`, stream: process.stderr },
        Presets.shades_classic,
      );
      bar.start(event.total, 0);
      table = event.table;
    }
    bar.update(event.rows);
  });
  return {
    events,
    stop: () => {
      bar?.stop();
      unsubscribe();
    },
  };
}
