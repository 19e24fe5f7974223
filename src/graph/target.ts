/**
 * Target strings (SPEC §5) → revisions. Pure, so that a bad target is
 * refused as a usage error before any database is opened.
 */
import { TargetError } from "../errors.js";
import type { IdScheme } from "./revision.js";
import type { RevisionMap } from "./revision-map.js";

export type ResolvedTarget = { readonly kind: "base" } | { readonly kind: "revisions"; readonly ids: readonly string[] };

const FORMS = "head, heads, base, an id, an id prefix, LABEL@head, +N, -N, head-N, ID+N or ID-N";
const NUMBERED_FORMS = "head, heads, base, 0, a version number, LABEL@head, +N, -N, head-N, N+M or N-M";

const BASE: ResolvedTarget = { kind: "base" };

/** `+N` / `-N` depend on what is applied, so they can only be checked once the database is read. */
export function isRelativeTarget(target: string): boolean {
  return /^[+-]\d+$/.test(target);
}

/** A position to walk from: the base state or one revision. */
type Origin = { readonly base: true } | { readonly base: false; readonly id: string };

/**
 * Resolves `target` against the graph. `applied` are the version rows (the
 * applied heads; empty = base), needed only by the bare relative forms.
 */
export function resolveTarget(
  map: RevisionMap,
  target: string,
  applied: readonly string[],
  scheme: IdScheme = map.scheme,
): ResolvedTarget {
  const r = new Resolver(map, target, scheme);
  if (target === "" || /\s/.test(target)) throw r.malformed();
  if (target === "base") return BASE;
  if (target === "heads") return map.size === 0 ? BASE : { kind: "revisions", ids: [...map.heads()] };
  if (target === "head") return r.single(r.head());
  if (map.has(target)) return r.single(target);

  const relative = /^([+-])(\d+)$/.exec(target);
  if (relative) return r.walk(r.fromApplied(applied), relative[1] === "+", r.steps(relative[2]!));

  const branch = /^(.+)@(.*)$/.exec(target);
  if (branch) {
    if (branch[2] !== "head") throw r.malformed(`only LABEL@head is supported after "@"`);
    return r.single(r.labelHead(branch[1]!));
  }

  const offset = /^(.+?)([+-])(\d+)$/.exec(target);
  if (offset) return r.walk(r.origin(offset[1]!), offset[2] === "+", r.steps(offset[3]!));

  if (/^\d+$/.test(target) && scheme === "numbered") {
    const n = Number(target);
    return n === 0 ? BASE : r.single(r.number(target));
  }
  return r.single(r.ident(target));
}

/** One resolution: carries the target text for messages. */
class Resolver {
  constructor(
    private readonly map: RevisionMap,
    private readonly target: string,
    private readonly scheme: IdScheme,
  ) {}

  single(id: string | undefined): ResolvedTarget {
    return id === undefined ? BASE : { kind: "revisions", ids: [id] };
  }

  /** The single head; undefined for an empty repository (head is then base). */
  head(): string | undefined {
    const heads = this.map.heads();
    if (heads.length > 1) {
      throw this.error(
        `is ambiguous: the repository has several heads (${heads.join(", ")}); use "heads", name one of them, or merge them with \`tidemark merge\``,
        { heads },
      );
    }
    return heads[0];
  }

  steps(digits: string): number {
    const n = Number(digits);
    if (!Number.isSafeInteger(n) || n < 1) throw this.malformed("the step count N must be a whole number of at least 1");
    return n;
  }

  fromApplied(applied: readonly string[]): Origin {
    for (const id of applied) {
      if (!this.map.has(id)) {
        throw this.error(`cannot be resolved: the database records revision ${id}, which no script declares`, {
          applied,
        });
      }
    }
    if (applied.length > 1) {
      throw this.error(
        `is relative to the current revision, but several heads are applied (${this.map.sortById(applied).join(", ")}); use ID+N or ID-N from one of them`,
        { applied },
      );
    }
    return applied.length === 0 ? { base: true } : { base: false, id: applied[0]! };
  }

  /** The start of ID+N / ID-N: head, base, an id, a label, a number or an id prefix. */
  origin(ident: string): Origin {
    if (ident === "base") return { base: true };
    if (ident === "head") {
      const head = this.head();
      return head === undefined ? { base: true } : { base: false, id: head };
    }
    if (ident === "heads") throw this.malformed(`"heads" cannot be combined with a step; use head-N or ID-N`);
    if (this.map.has(ident)) return { base: false, id: ident };
    const labelled = this.map.labels.get(ident);
    if (labelled !== undefined) return { base: false, id: labelled };
    if (/^\d+$/.test(ident) && this.scheme === "numbered") {
      return Number(ident) === 0 ? { base: true } : { base: false, id: this.number(ident) };
    }
    return { base: false, id: this.ident(ident) };
  }

  labelHead(name: string): string {
    if (this.map.labels.has(name)) return this.map.branchHead(name);
    const origin = this.origin(name);
    if (origin.base) throw this.malformed(`"@head" needs a branch label or a revision before it`);
    return this.map.headAbove(origin.id, this.target);
  }

  number(digits: string): string {
    const id = String(Number(digits));
    if (this.map.has(id)) return id;
    const range = this.map.size === 0 ? "it has no versions yet" : `its versions are 1 to ${this.map.size}`;
    throw this.error(`is out of range: repository ${this.map.repository} has no version ${id} (${range})`, {
      version: Number(digits),
    });
  }

  /** A full id or (graph scheme) a unique id prefix. */
  ident(text: string): string {
    if (this.map.has(text)) return text;
    if (this.map.labels.has(text)) {
      throw this.malformed(`${text} is a branch label; write ${text}@head for the head of its branch`);
    }
    if (this.scheme === "numbered") throw this.malformed();
    const matches = this.map.revisions.filter((r) => r.id.startsWith(text)).map((r) => r.id);
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) {
      const sorted = this.map.sortById(matches);
      throw this.error(`is ambiguous: ${text} is a prefix of ${sorted.join(", ")}; give more characters`, {
        matches: sorted,
      });
    }
    throw this.error(`is unknown: no revision id is or starts with ${text}; targets are ${FORMS}`);
  }

  /** Walks N parent (down) or child (up) links; a fork on the way is ambiguous. */
  walk(origin: Origin, up: boolean, steps: number): ResolvedTarget {
    let at = origin;
    for (let step = 1; step <= steps; step++) {
      if (up) {
        const next = at.base ? this.map.bases() : this.map.children(at.id);
        if (next.length === 0) {
          throw this.error(
            at.base
              ? "is out of range: the repository has no revisions"
              : `is out of range: it goes ${steps - step + 1} step(s) above head ${at.id}`,
          );
        }
        if (next.length > 1) {
          const where = at.base ? "the repository has several bases" : `revision ${at.id} is a branch point`;
          throw this.error(`is ambiguous: ${where} (${next.join(", ")}); name the branch to follow instead`, {
            at: at.base ? "base" : at.id,
            choices: next,
          });
        }
        at = { base: false, id: next[0]! };
      } else {
        if (at.base) {
          throw this.error(
            `is out of range: it goes ${steps - step + 1} step(s) below base${step === 1 ? " (nothing is applied)" : ""}`,
          );
        }
        const parents = this.map.require(at.id).parents;
        if (parents.length > 1) {
          throw this.error(
            `is ambiguous: revision ${at.id} is a merge of ${parents.join(", ")}; name the parent to follow instead`,
            { at: at.id, choices: parents },
          );
        }
        at = parents.length === 0 ? { base: true } : { base: false, id: parents[0]! };
      }
    }
    return at.base ? BASE : { kind: "revisions", ids: [at.id] };
  }

  malformed(why?: string): TargetError {
    const forms = this.scheme === "numbered" ? NUMBERED_FORMS : FORMS;
    return this.error(`is not a valid target${why ? ` (${why})` : ""}; targets are ${forms}`);
  }

  error(what: string, fields: Readonly<Record<string, unknown>> = {}): TargetError {
    return new TargetError(`Target "${this.target}" for repository ${this.map.repository} ${what}.`, {
      fields: { repository: this.map.repository, target: this.target, ...fields },
    });
  }
}
