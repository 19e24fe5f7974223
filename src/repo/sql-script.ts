/**
 * SQL scripts (SPEC §2): `-- key: value` header comments, then sections
 * opened by `-- +upgrade`, `-- +downgrade`, `-- +expand`, `-- +migrate`,
 * `-- +contract`. The header and the list of sections come from a line scan
 * alone, so reading the graph never pays for statement splitting.
 *
 * Section markers are recognised on any line, as goose and dbmate do; a
 * marker-looking line inside a multi-line string would be taken as a marker.
 * A file without any marker is one `upgrade` section (numbered scripts in the
 * sqlalchemy-migrate style are often plain SQL files).
 */
import { ScriptError } from "../errors.js";
import type { Bodies } from "../graph/revision.js";
import type { BodyName, ScriptHeader } from "./script-header.js";
import { splitSql, type SqlStatement } from "../sql/splitter.js";
import type { DialectName } from "../vocabulary.js";
import { readScriptText } from "./read-text.js";

export interface SqlScript {
  readonly header: ScriptHeader;
  /** True when the file has no section markers and its whole text is the `upgrade` section. */
  readonly implicitUpgrade: boolean;
  /** Statements per section present in the file (an empty section has an empty list). */
  readonly sections: Readonly<Partial<Record<BodyName, readonly SqlStatement[]>>>;
  /** The file's text, so that its checksum needs no second read. */
  readonly text: string;
}

interface SectionSpan {
  readonly name: BodyName;
  /** Offsets of the section's text (after the marker line) and the file line where it starts. */
  readonly start: number;
  end: number;
  readonly firstLine: number;
}

interface Layout {
  readonly header: ScriptHeader;
  readonly sections: readonly SectionSpan[];
  /** End offset of the text before the first marker. */
  readonly preambleEnd: number;
}

const MARKER = /^--[ \t]*\+([A-Za-z_-]+)[ \t]*$/;
const HEADER_LINE = /^--[ \t]*([A-Za-z][A-Za-z_-]*)[ \t]*:[ \t]*(.*?)[ \t]*$/;
const KNOWN_SECTIONS: ReadonlySet<string> = new Set<BodyName>(["upgrade", "downgrade", "expand", "migrate", "contract"]);
const HEADER_KEYS: ReadonlySet<string> = new Set([
  "revision",
  "revises",
  "message",
  "depends-on",
  "branch-labels",
  "transactional",
]);
const PHASES = ["expand", "migrate", "contract"] as const;

/** Header and section list only: no statement splitting. */
export function parseSqlHeader(text: string, file: string): ScriptHeader {
  return scanLayout(text, file).header;
}

/** Header plus every section's statements, split for `dialect`, with file line numbers. */
export function parseSqlScript(text: string, file: string, dialect: DialectName): SqlScript {
  const layout = scanLayout(text, file);
  if (layout.sections.length === 0) {
    return {
      header: layout.header,
      implicitUpgrade: true,
      sections: { upgrade: splitSql(text, dialect, file, 1) },
      text,
    };
  }
  const stray = splitSql(text.slice(0, layout.preambleEnd), dialect, file, 1)[0];
  if (stray !== undefined) {
    throw new ScriptError(
      file,
      stray.line,
      "this statement comes before the first section marker (`-- +upgrade`, `-- +downgrade`, `-- +expand`, `-- +migrate` or `-- +contract`) and so belongs to no section",
    );
  }
  const sections: Partial<Record<BodyName, readonly SqlStatement[]>> = {};
  for (const span of layout.sections) {
    sections[span.name] = splitSql(text.slice(span.start, span.end), dialect, file, span.firstLine);
  }
  return { header: layout.header, implicitUpgrade: false, sections, text };
}

/** Reads and parses a SQL script from disk. */
export function readSqlScript(file: string, dialect: DialectName): SqlScript {
  return parseSqlScript(readScriptText(file), file, dialect);
}

function scanLayout(text: string, file: string): Layout {
  const values = new Map<string, { value: string; line: number }>();
  const sections: SectionSpan[] = [];
  let inHeader = true;
  let preambleEnd = text.length;
  let line = 0;
  for (let start = 0; start < text.length || (start === text.length && line === 0); ) {
    line++;
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const content = text.slice(start, end).trim();
    const next = end + 1;
    if (content.startsWith("--")) {
      const marker = MARKER.exec(content);
      if (marker !== null) {
        const name = (marker[1] as string).toLowerCase();
        if (!KNOWN_SECTIONS.has(name)) {
          throw new ScriptError(
            file,
            line,
            `unknown section marker \`-- +${marker[1]}\`; the sections are -- +upgrade, -- +downgrade, -- +expand, -- +migrate and -- +contract`,
          );
        }
        addSection(sections, name as BodyName, file, line, start, next);
        if (sections.length === 1) preambleEnd = start;
        inHeader = false;
      } else if (inHeader) {
        const entry = HEADER_LINE.exec(content);
        const key = entry?.[1]?.toLowerCase();
        if (entry !== null && key !== undefined && HEADER_KEYS.has(key)) {
          if (values.has(key)) throw new ScriptError(file, line, `the header says \`${key}\` twice`);
          values.set(key, { value: entry[2] as string, line });
        }
      }
    } else if (content !== "") {
      inHeader = false;
    }
    start = next;
  }
  const last = sections[sections.length - 1];
  if (last !== undefined) last.end = text.length;
  return { header: buildHeader(file, values, sections), sections, preambleEnd };
}

function addSection(
  sections: SectionSpan[],
  name: BodyName,
  file: string,
  line: number,
  markerStart: number,
  bodyStart: number,
): void {
  const previous = sections[sections.length - 1];
  if (previous !== undefined) previous.end = markerStart;
  if (sections.some((s) => s.name === name)) {
    throw new ScriptError(file, line, `the section \`-- +${name}\` appears twice`);
  }
  const isPhase = (n: BodyName): boolean => (PHASES as readonly string[]).includes(n);
  const clash = sections.find((s) => (s.name === "upgrade" && isPhase(name)) || (name === "upgrade" && isPhase(s.name)));
  if (clash !== undefined) {
    throw new ScriptError(
      file,
      line,
      `the section \`-- +${name}\` cannot be mixed with \`-- +${clash.name}\`: a revision is either plain (upgrade/downgrade) or rolling (expand/migrate/contract)`,
    );
  }
  sections.push({ name, start: bodyStart, end: bodyStart, firstLine: line + 1 });
}

function buildHeader(
  file: string,
  values: ReadonlyMap<string, { value: string; line: number }>,
  sections: readonly SectionSpan[],
): ScriptHeader {
  const has = (name: BodyName): boolean => (sections.length === 0 ? name === "upgrade" : sections.some((s) => s.name === name));
  const bodies: Bodies = {
    upgrade: has("upgrade"),
    downgrade: has("downgrade"),
    expand: has("expand"),
    migrate: has("migrate"),
    contract: has("contract"),
  };
  const header: { -readonly [K in keyof ScriptHeader]: ScriptHeader[K] } = {
    file,
    dependsOn: [],
    branchLabels: [],
    transactional: true,
    bodies,
  };
  for (const [key, { value, line }] of values) {
    switch (key) {
      case "revision":
        if (!/^[^\s,]+$/.test(value))
          throw new ScriptError(file, line, `\`-- revision:\` must be one id without spaces, found "${value}"`);
        header.revision = value;
        break;
      case "revises":
        header.revises = idList(value, key, file, line);
        break;
      case "message":
        header.message = value;
        break;
      case "depends-on":
        header.dependsOn = idList(value, key, file, line);
        break;
      case "branch-labels":
        header.branchLabels = idList(value, key, file, line);
        break;
      case "transactional": {
        const flag = value.toLowerCase();
        if (flag !== "true" && flag !== "false") {
          throw new ScriptError(file, line, `\`-- transactional:\` must be true or false, found "${value}"`);
        }
        header.transactional = flag === "true";
        break;
      }
    }
  }
  return header;
}

/** `a, b` → ["a", "b"]; `none` or nothing → []. */
function idList(value: string, key: string, file: string, line: number): readonly string[] {
  if (value === "" || value.toLowerCase() === "none") return [];
  const items = value.split(",").map((item) => item.trim());
  const bad = items.find((item) => !/^\S+$/.test(item));
  if (bad !== undefined) {
    throw new ScriptError(file, line, `\`-- ${key}:\` must be a comma-separated list of ids, found "${value}"`);
  }
  return items;
}
