/**
 * Passwords never appear in any output (SPEC §3): these scrub them from
 * URLs and from free text such as driver errors, user code's errors and
 * stack traces.
 */
import type { DatabaseUrl } from "../vocabulary.js";

export const MASK = "***";

/** The password exactly as typed in the URL, when the URL has `user:password@`. */
function typedPassword(raw: string): string | undefined {
  const match = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^?]*)@/.exec(raw.trim());
  if (!match) return undefined;
  const userInfo = match[1]!;
  const slash = userInfo.indexOf("/");
  const colon = userInfo.indexOf(":");
  if (colon === -1 || (slash !== -1 && slash < colon)) return undefined;
  const value = userInfo.slice(colon + 1);
  return value === "" ? undefined : value;
}

/** Masks the typed password and `?password=` of a URL that does not parse, so that it can still be shown. */
export function maskByPattern(raw: string): string {
  const typed = typedPassword(raw);
  let out = raw;
  if (typed) {
    const at = out.indexOf(typed, out.indexOf("//") + 2);
    out = out.slice(0, at) + MASK + out.slice(at + typed.length);
  }
  return out.replace(/([?&]password=)[^&#]*/gi, `$1${MASK}`);
}

/**
 * Removes every spelling of the URL's password (as typed, percent-decoded,
 * percent-encoded) from a text, e.g. a driver's error message or stack.
 */
export function scrubPassword(text: string, url: Pick<DatabaseUrl, "raw" | "password" | "redacted">): string {
  let out = text;
  const secrets = new Set<string>();
  if (url.password) {
    secrets.add(url.password);
    secrets.add(encodeURIComponent(url.password));
  }
  const typed = typedPassword(url.raw);
  if (typed) secrets.add(typed);
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length === 0) continue;
    if (secret.length >= 4) {
      out = out.split(secret).join(MASK);
    } else {
      // A very short password is masked only where it stands alone, so that
      // the rest of the message stays readable.
      const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      out = out.replace(new RegExp(`(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`, "g"), MASK);
    }
  }
  if (url.raw && url.raw !== url.redacted) out = out.split(url.raw).join(url.redacted);
  return out;
}

/**
 * Masks the password of every `scheme://user:password@` URL in free text
 * (errors from user code, stacks, `--verbose` statements).
 *
 * A scan, not a regex: `/[a-z][a-z0-9+.-]*:\/\/…/` tries every start of a
 * long alphanumeric run (a hex literal of 80,000 characters) and runs to its
 * end each time, O(n²) — seconds per message. Here each `://` is looked at
 * once; the scheme scan never goes back past the previous `://`, and the user
 * and password scans stop at the next one (both exclude `/` or `:`), so the
 * whole text is read a bounded number of times.
 */
export function redactCredentials(text: string): string {
  let out = "";
  let copied = 0;
  // Left end for the scheme scan: no scheme reaches back over a `://` or into a URL already masked.
  let floor = 0;
  let at = text.indexOf("://");
  while (at !== -1) {
    const password = passwordAt(text, at, floor);
    let next = at + 3;
    if (password !== undefined) {
      out += `${text.slice(copied, password.start)}${MASK}`;
      // The `@` stays; the next URL starts after it.
      copied = password.end;
      next = Math.max(next, password.end + 1);
    }
    floor = next;
    at = text.indexOf("://", next);
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** Where the password of the URL whose `://` is at `at` lies (end: its `@`), if it is `scheme://user:password@`. */
function passwordAt(text: string, at: number, floor: number): { start: number; end: number } | undefined {
  // A scheme: a letter, then letters, digits, "+", ".", "-".
  let start = at;
  while (start > floor && isSchemeChar(text.charCodeAt(start - 1))) start--;
  while (start < at && !isLetter(text.charCodeAt(start))) start++;
  if (start === at) return undefined;
  let user = at + 3;
  while (user < text.length && !endsUser(text.charCodeAt(user))) user++;
  if (text.charCodeAt(user) !== COLON) return undefined;
  let end = user + 1;
  while (end < text.length && !endsPassword(text.charCodeAt(end))) end++;
  if (text.charCodeAt(end) !== AT) return undefined;
  return { start: user + 1, end };
}

const COLON = 58;
const AT = 64;
const SLASH = 47;

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isSchemeChar(c: number): boolean {
  return isLetter(c) || (c >= 48 && c <= 57) || c === 43 || c === 46 || c === 45;
}

/** Whitespace as the regex `\s` knew it: the ASCII ones and the Unicode spaces that matter in messages. */
function isSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

function isQuote(c: number): boolean {
  return c === 39 || c === 34 || c === 96;
}

function endsUser(c: number): boolean {
  return c === COLON || c === SLASH || c === AT || isSpace(c) || isQuote(c);
}

function endsPassword(c: number): boolean {
  return c === AT || c === SLASH || isSpace(c) || isQuote(c);
}
