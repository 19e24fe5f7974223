// Workload: the password scrubber every printed message goes through (issue 12 item 4).
// It was a backtracking regex, O(n²) on long alphanumeric runs; the scan must stay linear:
// time per character on 80,000 and 800,000 characters should be about the same.
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { ROOT, emit, round, sample } from "./lib.mjs";

const TARGET_MS = 20;

export async function redact({ runs } = {}) {
  const { redactCredentials } = await import(pathToFileURL(join(ROOT, "dist", "util", "redact.js")).href);
  const hex = "0123456789abcdef".repeat(5000);
  const inputs = {
    "hex-literal-80k": `INSERT INTO blobs VALUES (X'${hex}')`,
    "ini-line-64k": "x".repeat(64 * 1024),
    "scheme-run-80k-with-url": `${hex}://u:secret@h`,
    "hex-literal-800k": `X'${hex.repeat(10)}'`,
  };
  for (const [name, text] of Object.entries(inputs)) {
    const result = sample(
      runs ?? 15,
      () => {
        const started = performance.now();
        redactCredentials(text);
        return performance.now() - started;
      },
      { warmup: 2 },
    );
    emit({
      bench: `redact-${name}`,
      chars: text.length,
      ...result,
      ns_per_char: round((result.median_ms * 1e6) / text.length),
      target_ms: TARGET_MS,
      ok: result.median_ms <= TARGET_MS * (text.length > 100_000 ? 10 : 1),
    });
  }
}
