/**
 * The name of a new revision file, from a template (config `fileTemplate`),
 * as Alembic's `file_template` does: `{date}_{time}_{id}_{slug}` makes
 * `20260107_0930_1a2b3c4d5e6f_add_users`, so that a folder listing is in
 * creation order. Dates and times are UTC, so a team in several time zones
 * still sorts the same way. Graph-scheme repositories only: numbered file
 * names must start with their number.
 */

/** `init` writes this one; without a template, names are `<id>_<slug>`. */
export const DATED_FILE_TEMPLATE = "{date}_{time}_{id}_{slug}";
export const PLAIN_FILE_TEMPLATE = "{id}_{slug}";

const TOKENS = ["id", "slug", "year", "month", "day", "hour", "minute", "second", "date", "time"] as const;
type Token = (typeof TOKENS)[number];

const TOKEN = /\{([^{}]*)\}/g;

/** Why `template` cannot name files, or undefined when it can. */
export function fileTemplateProblem(template: string): string | undefined {
  for (const match of template.matchAll(TOKEN)) {
    if (!(TOKENS as readonly string[]).includes(match[1] as string)) {
      return `unknown placeholder {${match[1]}} (known: ${TOKENS.map((t) => `{${t}}`).join(", ")})`;
    }
  }
  if (!template.includes("{id}")) return "it must contain {id}, so that two revisions never get the same name";
  if (/[/\\]/.test(template.replace(TOKEN, ""))) return "it names a file, not a path: no / or \\";
  if (template.replace(TOKEN, "").includes(".")) return "the extension is added by tidemark: leave out the dot";
  return undefined;
}

export function renderFileName(
  template: string,
  values: { readonly id: string; readonly slug: string; readonly now: Date },
): string {
  const { now } = values;
  const two = (n: number): string => String(n).padStart(2, "0");
  const parts: Record<Token, string> = {
    id: values.id,
    slug: values.slug,
    year: String(now.getUTCFullYear()),
    month: two(now.getUTCMonth() + 1),
    day: two(now.getUTCDate()),
    hour: two(now.getUTCHours()),
    minute: two(now.getUTCMinutes()),
    second: two(now.getUTCSeconds()),
    date: `${now.getUTCFullYear()}${two(now.getUTCMonth() + 1)}${two(now.getUTCDate())}`,
    time: `${two(now.getUTCHours())}${two(now.getUTCMinutes())}`,
  };
  return template.replace(TOKEN, (_whole, name: string) => parts[name as Token]);
}
