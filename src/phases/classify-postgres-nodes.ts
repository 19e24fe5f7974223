/**
 * Reading libpg-query's parse trees: every PostgreSQL classifier (and the
 * lock lint's facts) needs the same few steps from a node to a printable
 * name, so they live here once rather than in each family of statements.
 */
import type { Node, ObjectType, RangeVar } from "libpg-query";

/** The node's tag and body: `{ AlterTableStmt: {…} }` → ["AlterTableStmt", {…}]; anything else → ["", {}]. */
export function unwrap(node: Node | unknown): [string, Record<string, unknown>] {
  if (typeof node !== "object" || node === null) return ["", {}];
  const [tag, body] = Object.entries(node)[0] ?? ["", {}];
  return [tag, (body ?? {}) as Record<string, unknown>];
}

export function sval(node: Node | unknown): string {
  const [tag, body] = unwrap(node);
  return tag === "String" ? String(body.sval ?? "") : "";
}

export function rel(range: RangeVar | unknown): string {
  return typeof range === "object" && range !== null ? String((range as RangeVar).relname ?? "") : "";
}

export function lastName(nodes: readonly Node[] | undefined): string {
  return sval(nodes?.[nodes.length - 1]);
}

/** The printable name of one object of a DROP: a list of names, a name, a function signature, a type. */
export function objectName(node: Node): string {
  const [tag, body] = unwrap(node);
  if (tag === "String") return String(body.sval ?? "");
  if (tag === "List") return lastName(body.items as Node[] | undefined);
  if (tag === "ObjectWithArgs") return lastName(body.objname as Node[] | undefined);
  if (tag === "TypeName") return lastName(body.names as Node[] | undefined);
  return "";
}

export function noun(type: ObjectType | undefined): string {
  return (type ?? "OBJECT_OBJECT")
    .replace(/^OBJECT_/, "")
    .replace(/_/g, " ")
    .replace("TABCONSTRAINT", "CONSTRAINT");
}

export function article(word: string): string {
  return /^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`;
}

/** relpersistence of a temporary relation. */
export const TEMP = "t";

/** The names of every function a node calls, at any depth. */
export function functionNames(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) functionNames(item, out);
  } else if (typeof value === "object" && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      if (key === "FuncCall") out.push(callName((child as { funcname?: Node[] }).funcname));
      functionNames(child, out);
    }
  }
  return out;
}

/** `f`, or `schema.f` for a call qualified with a schema other than pg_catalog (never a known built-in). */
function callName(names: readonly Node[] | undefined): string {
  const parts = (names ?? []).map((n) => sval(n).toLowerCase());
  if (parts.length > 1 && parts[0] !== "pg_catalog") return parts.join(".");
  return parts[parts.length - 1] ?? "";
}
