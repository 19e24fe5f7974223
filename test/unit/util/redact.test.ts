/**
 * redactCredentials (issue 12 item 4): a scan instead of a backtracking
 * regex. It must mask exactly what the old regex masked, on any text, and
 * stay linear: an 80,000-character hex literal in a `--verbose` statement
 * took seconds, an ini line of 64 KB almost ten.
 */
import { describe, expect, it } from "vitest";
import { redactCredentials } from "../../../src/util/redact.js";

/** What tidemark used to run: right, but O(n²) on long alphanumeric runs. The oracle for equivalence. */
function oracle(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"`]*:)[^\s@/'"`]*@/gi, "$1***@");
}

/** A small seeded generator (mulberry32), so a failing case can be reproduced. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("redactCredentials", () => {
  it.each([
    ["postgres://app:s3cret@db/x", "postgres://app:***@db/x"],
    ["at 'mysql+pymysql://root:p%40ss@h:3306/db', then", "at 'mysql+pymysql://root:***@h:3306/db', then"],
    ["two: a://u:p@h b://v:q@h", "two: a://u:***@h b://v:***@h"],
    ["colons kept in the password: pg://u:a:b:c@h", "colons kept in the password: pg://u:***@h"],
    ["no password: postgres://app@db/x http://h:80/p", "no password: postgres://app@db/x http://h:80/p"],
    ["scheme after digits: 9x1+a.b-c://u:p@h", "scheme after digits: 9x1+a.b-c://u:***@h"],
    ["no letter, no scheme: 123://u:p@h", "no letter, no scheme: 123://u:p@h"],
    ["upper case: HTTPS://U:P@H", "upper case: HTTPS://U:***@H"],
    ["ends before @: pg://u:p", "ends before @: pg://u:p"],
    ["empty password: pg://u:@h", "empty password: pg://u:***@h"],
    ["a URL right after a masked one: a://u:p@b://v:q@h", "a URL right after a masked one: a://u:***@b://v:***@h"],
    ["space in the password stops it: pg://u:p q@h", "space in the password stops it: pg://u:p q@h"],
    ["nbsp too: pg://u:p\u00a0q@h", "nbsp too: pg://u:p\u00a0q@h"],
  ])("%s", (text, expected) => {
    expect(redactCredentials(text)).toBe(expected);
    expect(oracle(text)).toBe(expected);
  });

  it("masks exactly what the old regex masked, on 5,000 random texts of URL-ish characters (seed 12)", () => {
    const next = random(12);
    const alphabet = [
      "a",
      "Z",
      "9",
      "+",
      ".",
      "-",
      ":",
      "/",
      "//",
      "://",
      "@",
      " ",
      "'",
      '"',
      "`",
      "\t",
      "\u00a0",
      "x://",
      "u:p@",
    ];
    for (let n = 0; n < 5000; n += 1) {
      const length = Math.floor(next() * 40);
      let text = "";
      for (let k = 0; k < length; k += 1) text += alphabet[Math.floor(next() * alphabet.length)];
      expect(redactCredentials(text), JSON.stringify(text)).toBe(oracle(text));
    }
  });

  it("leaves an 80,000-character hex literal as it is, and still masks a URL after it", () => {
    const hex = "0123456789abcdef".repeat(5000);
    const statement = `INSERT INTO blobs VALUES (X'${hex}')`;
    expect(redactCredentials(statement)).toBe(statement);
    expect(redactCredentials(`${hex} postgres://app:s3cret@db/x ${hex}`)).toBe(`${hex} postgres://app:***@db/x ${hex}`);
    // A scheme-like run as long as the text, ending in a URL: the old regex tried every start of it.
    expect(redactCredentials(`${hex}://u:p@h`)).toBe(`${hex}://u:***@h`);
  });
});
