/** Walking a statement's tokens: top-level parts, and a cursor for the token classifiers. */
import type { Token } from "./tokens.js";

/** Splits `tokens` at commas outside parentheses. */
export function splitTopLevel(tokens: readonly Token[], separator = ","): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const token of tokens) {
    if (token.kind === "punct") {
      if (token.text === "(") depth++;
      else if (token.text === ")") depth = Math.max(0, depth - 1);
      else if (token.text === separator && depth === 0) {
        parts.push([]);
        continue;
      }
    }
    (parts[parts.length - 1] as Token[]).push(token);
  }
  return parts.filter((part) => part.length > 0);
}

/** The tokens at parenthesis depth 0 (what is inside parentheses is left out). */
export function topLevel(tokens: readonly Token[]): Token[] {
  const out: Token[] = [];
  let depth = 0;
  for (const token of tokens) {
    if (token.kind === "punct" && token.text === "(") depth++;
    else if (token.kind === "punct" && token.text === ")") depth = Math.max(0, depth - 1);
    else if (depth === 0) out.push(token);
  }
  return out;
}

/** Walks a statement's tokens for the token classifiers. */
export class Cursor {
  constructor(
    readonly tokens: readonly Token[],
    public i = 0,
  ) {}

  word(k = 0): string {
    return this.tokens[this.i + k]?.upper ?? "";
  }

  punct(text: string, k = 0): boolean {
    const t = this.tokens[this.i + k];
    return t !== undefined && t.kind === "punct" && t.text === text;
  }

  /** Advances past `words` when they come next. */
  accept(...words: string[]): boolean {
    if (!words.every((w, k) => this.word(k) === w)) return false;
    this.i += words.length;
    return true;
  }

  /** A possibly qualified name (`db.t`, `"s"."t"`); returns its last part. */
  name(): string | undefined {
    let last: string | undefined;
    for (;;) {
      const t = this.tokens[this.i];
      if (t === undefined || (t.kind !== "word" && t.kind !== "quoted")) return last;
      last = t.value;
      this.i++;
      if (!this.punct(".")) return last;
      this.i++;
    }
  }

  rest(): readonly Token[] {
    return this.tokens.slice(this.i);
  }
}
