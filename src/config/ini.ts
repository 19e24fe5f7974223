/**
 * The one ini reader, for `--config` ini files (tacker's oslo.config style)
 * and `migrate.cfg`. It follows Python configparser's reading rules, since
 * the files come from that world: `key = value` and `key: value` (split at
 * the first `=` or `:`), whole-line `#`/`;` comments, values continued on
 * more-indented lines (blank lines inside kept, trailing ones dropped),
 * lower-cased keys, case-sensitive section names, `[DEFAULT]`.
 *
 * Deliberate differences: no `%(name)s` interpolation (URLs carry `%`
 * escapes), a section header must end with `]`, and a section or key seen
 * twice is not an error while parsing — a tacker.conf may repeat keys of
 * sections tidemark never reads — but `sectionValues` refuses a duplicate
 * key in a section that is actually read.
 */
import { ConfigError } from "../errors.js";

export interface IniEntry {
  /** Lower-cased, as configparser's optionxform does. */
  readonly key: string;
  /** Continuation lines joined with "\n". */
  readonly value: string;
  /** 1-based line of the `key = value` line. */
  readonly line: number;
}

export interface IniSection {
  readonly name: string;
  /** Line of the first header of this section. */
  readonly line: number;
  /** Every assignment in file order, across repeated headers. */
  readonly entries: readonly IniEntry[];
}

export interface IniDocument {
  readonly file: string;
  /** The `[DEFAULT]` section, if the file has one. */
  readonly defaults: IniSection | undefined;
  /** Sections in order of first appearance, `[DEFAULT]` excluded. */
  readonly sections: readonly IniSection[];
}

export const DEFAULT_SECTION = "DEFAULT";

interface MutableSection {
  name: string;
  line: number;
  entries: { key: string; lines: string[]; line: number }[];
}

export function iniError(file: string, line: number | undefined, message: string): ConfigError {
  const where = line === undefined ? file : `${file}:${line}`;
  return new ConfigError(`${where}: ${message}`, { fields: { file, ...(line === undefined ? {} : { line }) } });
}

const SHOWN_CHARACTERS = 60;

/** A line quoted in a message: enough to find it, not a megabyte of it. */
function quoteShort(text: string): string {
  if (text.length <= SHOWN_CHARACTERS) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, SHOWN_CHARACTERS)).slice(0, -1)}…" (${text.length} characters)`;
}

function isComment(stripped: string): boolean {
  return stripped.startsWith("#") || stripped.startsWith(";");
}

function indentOf(line: string): number {
  const match = /\S/.exec(line);
  return match === null ? 0 : match.index;
}

/** Parses ini text; `file` only names the source in errors. */
export function parseIni(text: string, file: string): IniDocument {
  const source = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const lines = source.split(/\r\n|\n|\r/);
  const sections = new Map<string, MutableSection>();
  let current: MutableSection | undefined;
  let option: MutableSection["entries"][number] | undefined;
  let indentLevel = 0;

  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const stripped = raw.trim();
    if (stripped === "") {
      // configparser keeps blank lines inside a value (empty_lines_in_values);
      // a following less-indented line still ends it, and trailing ones are dropped.
      option?.lines.push("");
      return;
    }
    if (isComment(stripped)) return;

    const indent = indentOf(raw);
    if (option !== undefined && indent > indentLevel) {
      option.lines.push(stripped);
      return;
    }
    indentLevel = indent;

    if (stripped.startsWith("[")) {
      if (!stripped.endsWith("]")) {
        throw iniError(file, lineNo, `a section header must end with "]": ${quoteShort(stripped)}`);
      }
      const name = stripped.slice(1, -1).trim();
      if (name === "") throw iniError(file, lineNo, 'empty section name "[]"');
      current = sections.get(name);
      if (current === undefined) {
        current = { name, line: lineNo, entries: [] };
        sections.set(name, current);
      }
      option = undefined;
      return;
    }
    if (current === undefined) {
      // Only the key: the value may be a URL with a password.
      const key = stripped.split(/[=:]/, 1)[0]?.trim() ?? stripped;
      throw iniError(file, lineNo, `expected a [section] header before ${quoteShort(key)}`);
    }
    const separator = /[=:]/.exec(stripped);
    if (separator === null) {
      throw iniError(file, lineNo, `expected "key = value" or "key: value", found ${quoteShort(stripped)}`);
    }
    const key = stripped.slice(0, separator.index).trim().toLowerCase();
    if (key === "") throw iniError(file, lineNo, `missing key before "${separator[0]}"`);
    option = { key, lines: [stripped.slice(separator.index + 1).trim()], line: lineNo };
    current.entries.push(option);
  });

  const finish = (section: MutableSection): IniSection => ({
    name: section.name,
    line: section.line,
    entries: section.entries.map((entry) => ({
      key: entry.key,
      value: entry.lines.join("\n").trimEnd(),
      line: entry.line,
    })),
  });
  const defaults = sections.get(DEFAULT_SECTION);
  return {
    file,
    defaults: defaults === undefined ? undefined : finish(defaults),
    sections: [...sections.values()].filter((s) => s.name !== DEFAULT_SECTION).map(finish),
  };
}

export function findSection(doc: IniDocument, name: string): IniSection | undefined {
  return doc.sections.find((section) => section.name === name);
}

/**
 * The values of one section by key. A key set twice in the section is an
 * error naming both lines. With `inheritDefaults`, `[DEFAULT]` values fill
 * keys the section lacks, as configparser does.
 */
export function sectionValues(
  doc: IniDocument,
  section: IniSection,
  options: { readonly inheritDefaults?: boolean } = {},
): ReadonlyMap<string, IniEntry> {
  const values = new Map<string, IniEntry>();
  for (const entry of section.entries) {
    const previous = values.get(entry.key);
    if (previous !== undefined) {
      throw iniError(
        doc.file,
        entry.line,
        `"${entry.key}" is set twice in [${section.name}] (lines ${previous.line} and ${entry.line})`,
      );
    }
    values.set(entry.key, entry);
  }
  if (options.inheritDefaults === true && doc.defaults !== undefined) {
    for (const [key, entry] of sectionValues(doc, doc.defaults)) {
      if (!values.has(key)) values.set(key, entry);
    }
  }
  return values;
}
