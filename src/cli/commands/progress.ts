/** Prints each step as it finishes, so a long upgrade shows where it is. */
import type { Tidemark } from "../../api/tidemark.js";
import type { Output } from "../output.js";
import { flushOut } from "../write.js";

export function showSteps(tidemark: Tidemark, out: Output): () => void {
  return tidemark.on((event) => {
    if (event.type !== "step" || event.status === "start") return;
    const arrow = event.direction === "down" ? "down" : "up";
    const phase = event.phase === "" ? "" : ` ${event.phase}`;
    const ms = event.ms === undefined ? "" : ` ${Math.round(event.ms)} ms`;
    const note =
      event.status === "skipped"
        ? " (already done by another runner)"
        : event.status === "stopped"
          ? " (stopped: the next run resumes it)"
          : "";
    const message = event.message === "" ? "" : ` ${event.message}`;
    out.line(
      `  ${event.repository} ${arrow}${phase} ${out.colors.bold(event.revision)}${message}${out.colors.dim(`${ms}${note}`)}`,
    );
    // Steps can take long: show each as it finishes, not when the buffer fills.
    flushOut();
  });
}
