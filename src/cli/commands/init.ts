import type { CommandContext } from "../context.js";
import { initExtension, initProject } from "../../api/init-project.js";
import { UsageError } from "../../errors.js";
import type { IdScheme, ScriptLanguage } from "../../api/types.js";

export async function run(context: CommandContext, args: readonly unknown[], options: Record<string, unknown>): Promise<number> {
  const language = options.language as string | undefined;
  if (language !== undefined && language !== "ts" && language !== "js" && language !== "sql") {
    throw new UsageError(`--language must be ts, js or sql, not "${language}".`);
  }
  const extension = context.globals.extension ?? context.globals.repo;
  if (extension !== undefined) {
    const written = initExtension(process.cwd(), extension, {
      ...(args[0] === undefined ? {} : { dir: String(args[0]) }),
      ...(options.scheme === undefined ? {} : { scheme: options.scheme as IdScheme }),
    });
    context.out.json({ ok: true, ...written });
    context.out.line(`Wrote the extension repository ${written.repository} (migrate.cfg, versions/).`);
    context.out.line(
      written.config === undefined
        ? `Add it to your config's repositories: ${written.snippet}`
        : `Added it to ${written.config}. Next: npx tidemark revision --extension ${extension} -m "first change", ` +
            `then npx tidemark sync --extension ${extension}`,
    );
    return 0;
  }
  const result = initProject(process.cwd(), {
    ...(args[0] === undefined ? {} : { dir: String(args[0]) }),
    ...(options.scheme === undefined ? {} : { scheme: options.scheme as IdScheme }),
    ...(options.rolling === true ? { rolling: true } : {}),
    ...(language === undefined ? {} : { language: language as ScriptLanguage }),
    ...(context.globals.url === undefined ? {} : { url: context.globals.url }),
  });
  context.out.json({ ok: true, ...result });
  context.out.line(`Wrote ${result.config} and the empty repository ${result.repository}.`);
  const apply = options.rolling === true ? "npx tidemark sync" : "npx tidemark upgrade";
  context.out.line(`Next: npx tidemark revision -m "first change", edit the script, then ${apply}.`);
  return 0;
}
