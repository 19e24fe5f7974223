/** Values of script headers: JavaScript string escapes, and id lists from a literal. */

export type Literal = string | boolean | null | readonly string[];

/** `null` → [] (a root), "a" → ["a"], ["a", "b"] → as is; anything else (or an empty id) is not an id list. */
export function idList(value: Literal): readonly string[] | undefined {
  if (value === null) return [];
  if (typeof value === "string") return value === "" ? undefined : [value];
  if (Array.isArray(value)) return value.every((item) => item !== "") ? value : undefined;
  return undefined;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: "\n",
  t: "\t",
  r: "\r",
  b: "\b",
  f: "\f",
  v: "\v",
  0: "\0",
};

/** Decodes one escape sequence starting after the backslash at `p - 1`. */
export function decodeEscape(text: string, p: number): { text: string; end: number } {
  const c = text[p] ?? "";
  if (c in SIMPLE_ESCAPES) return { text: SIMPLE_ESCAPES[c] as string, end: p + 1 };
  if (c === "\r") return { text: "", end: text[p + 1] === "\n" ? p + 2 : p + 1 };
  if (c === "\n") return { text: "", end: p + 1 };
  if (c === "x") return { text: String.fromCharCode(parseInt(text.slice(p + 1, p + 3), 16)), end: p + 3 };
  if (c === "u") {
    if (text[p + 1] === "{") {
      const close = text.indexOf("}", p);
      return { text: String.fromCodePoint(parseInt(text.slice(p + 2, close), 16)), end: close + 1 };
    }
    return { text: String.fromCharCode(parseInt(text.slice(p + 1, p + 5), 16)), end: p + 5 };
  }
  return { text: c, end: p + 1 };
}
