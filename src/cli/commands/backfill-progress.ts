/**
 * Backfill progress, three ways: a bar on a terminal (stderr) with the
 * percentage, rate, ETA and elapsed time, ended by its final frame and a
 * newline when the step ends; without a terminal a line when the backfill
 * starts, then every few seconds, then when it ends (CI logs); with --json
 * each event as one line of JSON as it happens. cli-progress loads only when
 * a bar is drawn.
 */
import type { Tidemark } from "../../api/tidemark.js";
import type { BackfillProgress } from "../../api/types.js";
import { isTerminal, type Output } from "../output.js";
import { writeErr } from "../write.js";

/** Without a terminal, a line at most this often (the first and the last are always printed). */
const LINE_INTERVAL_MS = 5000;

interface Bar {
  start(total: number, value: number, payload: Record<string, string>): void;
  update(value: number, payload: Record<string, string>): void;
  stop(): void;
}

/** `4s`, `2m05s`, `1h02m`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}

/** What a person wants from one event: how far, how fast, how long still, how long so far. */
export function describeProgress(event: BackfillProgress): {
  percent: number;
  rate: string;
  eta: string;
  elapsed: string;
} {
  const seconds = event.elapsedMs / 1000;
  const perSecond = seconds > 0 ? event.rows / seconds : 0;
  const left = Math.max(0, event.total - event.rows);
  return {
    percent: event.total === 0 ? 100 : Math.min(100, Math.floor((event.rows / event.total) * 100)),
    rate: Math.round(perSecond).toLocaleString("en-US"),
    eta: left === 0 ? "0s" : perSecond > 0 ? formatDuration((left / perSecond) * 1000) : "?",
    elapsed: formatDuration(event.elapsedMs),
  };
}

function progressLine(event: BackfillProgress, final: boolean): string {
  const { percent, rate, eta, elapsed } = describeProgress(event);
  const where = `backfill ${event.table} (${event.repository} ${event.revision})`;
  const counts = `${event.rows.toLocaleString("en-US")}/${event.total.toLocaleString("en-US")} rows (${percent}%)`;
  return final
    ? `${where}: ${counts} in ${elapsed}, ${rate} rows/s`
    : `${where}: ${counts}, ${rate} rows/s, ETA ${eta}, elapsed ${elapsed}`;
}

export interface BackfillTracker {
  /** The last event of each backfill, for the final summary. */
  readonly summary: () => BackfillProgress[];
  stop(): void;
}

export function trackBackfills(tidemark: Tidemark, out: Output): BackfillTracker {
  const last = new Map<string, BackfillProgress>();
  const quiet = out.options.quiet;
  const json = out.options.json;
  const drawBars = !json && !quiet && isTerminal(2);
  let bar: Bar | undefined;
  let current: BackfillProgress | undefined;
  let lastLineAt = 0;

  /** The backfill in progress has ended (its step ended, or another one began): its last frame or line, then a newline. */
  const finish = (): void => {
    if (current === undefined) return;
    if (bar !== undefined) {
      bar.update(current.rows, payload(current));
      bar.stop();
      bar = undefined;
    } else if (!json && !quiet) {
      writeErr(`${progressLine(current, true)}\n`);
    }
    current = undefined;
  };

  const payload = (event: BackfillProgress): Record<string, string> => {
    const { rate, eta, elapsed } = describeProgress(event);
    // Not `eta`/`value`/`total`: cli-progress fills those tokens itself.
    return {
      rate,
      left: eta,
      spent: elapsed,
      rows: event.rows.toLocaleString("en-US"),
      all: event.total.toLocaleString("en-US"),
    };
  };

  const onProgress = (event: BackfillProgress): void => {
    last.set(`${event.repository}\u0000${event.revision}\u0000${event.table}`, event);
    if (json) {
      out.event(event);
      return;
    }
    if (quiet) return;
    const same = current !== undefined && current.table === event.table && current.revision === event.revision;
    if (!same) finish();
    const first = current === undefined;
    current = event;
    if (drawBars) {
      if (bar === undefined) {
        // A plain require() so that the bundler carries it, evaluated only when a bar is drawn.
        const { SingleBar, Presets } = require("cli-progress") as typeof import("cli-progress");
        bar = new SingleBar(
          {
            format: `backfill ${event.table} [{bar}] {percentage}% | {rows}/{all} rows | {rate} rows/s | ETA {left} | elapsed {spent}`,
            stream: process.stderr,
            barsize: 24,
            hideCursor: false,
          },
          Presets.shades_classic,
        );
        bar.start(event.total, event.rows, payload(event));
      } else {
        bar.update(event.rows, payload(event));
      }
      return;
    }
    const now = Date.now();
    if (first || now - lastLineAt >= LINE_INTERVAL_MS) {
      lastLineAt = now;
      writeErr(`${progressLine(event, false)}\n`);
    }
  };

  const unsubscribe = tidemark.on((event) => {
    if (event.type === "progress") onProgress(event);
    // The step's own line comes next: the bar must be done with its row first.
    else if (event.type === "step" && event.status !== "start") finish();
  });
  return {
    summary: () => [...last.values()],
    stop: () => {
      finish();
      unsubscribe();
    },
  };
}
