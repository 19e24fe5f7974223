import { describe, expect, it } from "vitest";
import { findSection, parseIni, sectionValues } from "../../../src/config/ini.js";
import { ConfigError } from "../../../src/errors.js";

function values(text: string, section: string, inheritDefaults = false): Record<string, string> {
  const doc = parseIni(text, "test.ini");
  const found = findSection(doc, section);
  if (found === undefined) throw new Error(`no section ${section}`);
  return Object.fromEntries([...sectionValues(doc, found, { inheritDefaults })].map(([k, e]) => [k, e.value]));
}

function parseError(text: string): ConfigError {
  try {
    parseIni(text, "/p/bad.ini");
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("parseIni", () => {
  it("reads key = value and key: value, splitting at the first separator", () => {
    const text = "[s]\na = 1\nb: two words \nurl = mysql+pymysql://u:p@h:3306/db?x=1\nc:d = e\n";
    expect(values(text, "s")).toEqual({ a: "1", b: "two words", url: "mysql+pymysql://u:p@h:3306/db?x=1", c: "d = e" });
  });

  it("records the line of each entry and of the section", () => {
    const doc = parseIni("# head\n\n[db_settings]\nrepository_id=x\n\nversion_table=v\n", "f");
    expect(doc.sections).toEqual([
      {
        name: "db_settings",
        line: 3,
        entries: [
          { key: "repository_id", value: "x", line: 4 },
          { key: "version_table", value: "v", line: 6 },
        ],
      },
    ]);
  });

  it("skips whole-line # and ; comments, even indented, and keeps inline ones in the value", () => {
    const text = "; top\n[s]\n# c1\n  ; c2\na = x # not a comment\n";
    expect(values(text, "s")).toEqual({ a: "x # not a comment" });
  });

  it("lower-cases keys but keeps section names as written", () => {
    const doc = parseIni("[Mixed]\nRepository_ID = X\n", "f");
    expect(findSection(doc, "mixed")).toBeUndefined();
    expect(values("[Mixed]\nRepository_ID = X\n", "Mixed")).toEqual({ repository_id: "X" });
  });

  it("joins more-indented continuation lines with newlines, keeping inner blank lines and dropping trailing ones", () => {
    const text = "[s]\nlist = [\n    'postgresql',\n\n    'mysql']\n\n\nnext = 1\n  cont\n# comment inside\n  more\n";
    expect(values(text, "s")).toEqual({ list: "[\n'postgresql',\n\n'mysql']", next: "1\ncont\nmore" });
  });

  it("treats a line at the same indentation as a new key, not a continuation", () => {
    const text = "[s]\n  a = 1\n  b = 2\n";
    expect(values(text, "s")).toEqual({ a: "1", b: "2" });
  });

  it("does not continue a value across a section header", () => {
    const text = "[s]\na = 1\n[t]\n  b = 2\n";
    expect(values(text, "s")).toEqual({ a: "1" });
    expect(values(text, "t")).toEqual({ b: "2" });
  });

  it("accepts empty values, CRLF line ends and a BOM", () => {
    expect(values("\uFEFF[s]\r\na =\r\nb = 2\r\n", "s")).toEqual({ a: "", b: "2" });
  });

  it("keeps [DEFAULT] apart and inherits it only when asked", () => {
    const text = "[DEFAULT]\nversion_table = v\nrepository_id = d\n[s]\nrepository_id = own\n";
    const doc = parseIni(text, "f");
    expect(doc.sections.map((s) => s.name)).toEqual(["s"]);
    expect(doc.defaults?.entries.map((e) => e.key)).toEqual(["version_table", "repository_id"]);
    expect(values(text, "s")).toEqual({ repository_id: "own" });
    expect(values(text, "s", true)).toEqual({ repository_id: "own", version_table: "v" });
  });

  it("merges a repeated section and refuses a key set twice when the section is read", () => {
    const text = "[s]\na = 1\n[other]\nx = 1\nx = 2\n[s]\nb = 2\na = 3\n";
    const doc = parseIni(text, "/p/f.ini");
    const s = findSection(doc, "s");
    expect(s?.entries.map((e) => `${e.key}=${e.value}`)).toEqual(["a=1", "b=2", "a=3"]);
    expect(() => sectionValues(doc, s!)).toThrow('/p/f.ini:8: "a" is set twice in [s] (lines 2 and 8)');
  });

  it("does not interpolate %(name)s or %-escapes", () => {
    expect(values("[s]\nurl = postgres://u:p%40ss@h/db\nx = %(url)s\n", "s")).toEqual({
      url: "postgres://u:p%40ss@h/db",
      x: "%(url)s",
    });
  });

  it("names the file and line of a key before any section", () => {
    const error = parseError("\n# c\nconnection = postgres://u:s3cret@h/db\n[s]\n");
    expect(error.message).toBe('/p/bad.ini:3: expected a [section] header before "connection"');
    expect(error.exitCode).toBe(2);
    expect(error.fields).toEqual({ file: "/p/bad.ini", line: 3 });
  });

  it("names the line of a line without separator", () => {
    expect(parseError("[s]\na = 1\njust words\n").message).toBe(
      '/p/bad.ini:3: expected "key = value" or "key: value", found "just words"',
    );
  });

  it("refuses an empty key, an unclosed header and an empty header", () => {
    expect(parseError("[s]\n= postgres://u:s3cret@h\n").message).toBe('/p/bad.ini:2: missing key before "="');
    expect(parseError("[s]\n[broken\n").message).toBe('/p/bad.ini:2: a section header must end with "]": "[broken"');
    expect(parseError("[]\n").message).toBe('/p/bad.ini:1: empty section name "[]"');
  });
});
