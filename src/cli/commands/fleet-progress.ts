/**
 * Progress of a fleet run on a terminal (stderr): one line per running
 * target (its last step, steps done, time) and an overall bar. Redrawn at
 * most ten times a second, in place; erased when the run ends, so the table
 * that follows stands alone. Nothing is drawn when stderr is not a
 * terminal, with --json, or with --quiet.
 */
import type { Fleet } from "../../api/fleet.js";
import { isTerminal, type Output } from "../output.js";
import { writeErr } from "../write.js";
import { monotonicMs } from "../../util/clock.js";

interface Running {
  readonly started: number;
  steps: number;
  doing: string;
}

const BAR_WIDTH = 30;
const REDRAW_MS = 100;

export function trackFleet(fleet: Fleet, out: Output): { stop(): void } {
  if (!isTerminal(2) || out.options.json || out.options.quiet) return { stop: () => undefined };
  const running = new Map<string, Running>();
  let total = 0;
  let finished = 0;
  let failed = 0;
  let drawn = 0;
  let dirty = false;
  const columns = () => Math.max(40, (process.stderr.columns || Number(process.env["COLUMNS"]) || 100) - 1);

  const draw = () => {
    if (!dirty) return;
    dirty = false;
    const width = columns();
    const lines: string[] = [];
    for (const [name, target] of running) {
      const time = ((monotonicMs() - target.started) / 1000).toFixed(1);
      const line = `  ${name}  ${target.steps} step${target.steps === 1 ? "" : "s"}  ${target.doing}  ${time} s`;
      lines.push(line.length > width ? `${line.slice(0, width - 1)}…` : line);
    }
    const filled = total === 0 ? 0 : Math.round((finished / total) * BAR_WIDTH);
    const bar = `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}]`;
    const failures = failed === 0 ? "" : out.colors.red(`  ${failed} failed`);
    lines.push(`${bar} ${finished}/${total} targets${failures}`);
    // Up to the first line drawn last time, then each line cleared and rewritten, then leftovers cleared.
    let text = drawn > 0 ? `\x1b[${drawn}A\r` : "";
    for (const line of lines) text += `\x1b[2K${line}\n`;
    for (let i = lines.length; i < drawn; i++) text += "\x1b[2K\n";
    if (drawn > lines.length) text += `\x1b[${drawn - lines.length}A`;
    drawn = lines.length;
    writeErr(text);
  };

  const unsubscribe = fleet.on((event) => {
    dirty = true;
    // The first frame at once: a run shorter than one redraw interval still shows where it stood.
    if (drawn === 0) queueMicrotask(draw);
    if (event.type === "target-start") {
      total = event.total;
      running.set(event.target, { started: monotonicMs(), steps: 0, doing: "connecting" });
    } else if (event.type === "target-end") {
      total = event.total;
      running.delete(event.target);
      finished += 1;
      if (event.status === "failed") failed += 1;
    } else if (event.event.type === "step") {
      const target = running.get(event.target);
      if (target === undefined) return;
      const step = event.event;
      const phase = step.phase === "" ? "" : ` ${step.phase}`;
      if (step.status === "start") target.doing = `${step.direction}${phase} ${step.revision}`;
      else target.steps += 1;
    }
  });
  const timer = setInterval(draw, REDRAW_MS);
  timer.unref();

  return {
    stop() {
      clearInterval(timer);
      unsubscribe();
      if (drawn === 0) return;
      let text = `\x1b[${drawn}A\r`;
      for (let i = 0; i < drawn; i++) text += "\x1b[2K\n";
      text += `\x1b[${drawn}A`;
      writeErr(text);
    },
  };
}
