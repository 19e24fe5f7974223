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

/** Masks the password of every `scheme://user:password@` URL in free text (errors from user code, stacks). */
export function redactCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"`]*:)[^\s@/'"`]*@/gi, "$1***@");
}
