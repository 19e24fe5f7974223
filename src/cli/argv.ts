/**
 * Alembic users write `downgrade -1`; an option parser reads `-1` as a flag.
 * A bare negative number is wrapped before parsing and unwrapped after.
 */
const MARK = "\u0000relative:";

export function protectNegativeTargets(argv: readonly string[]): string[] {
  return argv.map((arg) => (/^-\d+$/.test(arg) ? `${MARK}${arg}` : arg));
}

export function restoreNegativeTarget<T>(value: T): T | string {
  if (typeof value === "string" && value.startsWith(MARK)) return value.slice(MARK.length);
  if (Array.isArray(value)) return value.map(restoreNegativeTarget) as unknown as T;
  return value;
}
