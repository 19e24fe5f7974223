/**
 * `tidemark lint [RANGE…]`: the phase rules and the lock and rewrite rules
 * over the scripts, without a database. One line per finding, `file:line RULE severity
 * message`; `--json` prints the findings as one array. Exit 3 when a finding
 * is an error (SPEC: a check that found a problem), else 0.
 */
import { relative } from "node:path";
import type { LintFinding } from "../../api/types.js";
import type { CommandContext } from "../context.js";

function where(finding: LintFinding): string {
  if (finding.file === "") return `[${finding.repository}]`;
  const rel = relative(process.cwd(), finding.file);
  const file = rel === "" || rel.startsWith("..") ? finding.file : rel;
  return finding.line === undefined ? file : `${file}:${finding.line}`;
}

export async function run(context: CommandContext, args: readonly unknown[], options: Record<string, unknown>): Promise<number> {
  const tidemark = await context.tidemark();
  const ranges = (args[0] as string[] | undefined) ?? [];
  const result = await tidemark.lint({
    ...(context.repo === undefined ? {} : { repo: context.repo }),
    ...(ranges.length === 0 ? {} : { ranges }),
    ...(typeof options.dialect === "string" ? { dialect: options.dialect } : {}),
  });
  const { out } = context;
  out.json(result.findings);
  for (const note of result.notes) out.info(note);
  for (const finding of result.findings) {
    const severity = finding.severity === "error" ? out.colors.red("error") : out.colors.yellow("warning");
    const named = finding.name === finding.rule ? "" : `${finding.name}: `;
    out.result(`${where(finding)} ${finding.rule} ${severity} ${named}${finding.message}`);
  }
  for (const mark of result.silenced) {
    out.info(`${where({ ...mark, severity: "warning" })} ${mark.rule} silenced by unsafe mark (${mark.reason})`);
  }
  const errors = result.findings.filter((finding) => finding.severity === "error").length;
  const warnings = result.findings.length - errors;
  if (result.findings.length === 0)
    out.info(out.colors.green(`OK: phase rules kept, no lock or rewrite finding (${result.dialect}).`));
  else
    out.info(`${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"} (${result.dialect}).`);
  return result.ok ? 0 : 3;
}
