/**
 * Target strings (SPEC §5) → revisions, as Alembic 1.8 resolves them. Pure,
 * so that a bad target is refused as a usage error before any database is
 * opened.
 *
 * `BRANCH@…` names a branch by a label or by a revision on it; the branch's
 * lineage is everything above and below that revision along parent edges.
 * A relative form without a starting point (`+N`, `-N`, `BRANCH@±N`) counts
 * from the applied revision, and its direction must be the command's.
 */
import { TargetError } from "../errors.js";
import type { IdScheme } from "./revision.js";
import type { RevisionMap } from "./revision-map.js";

/**
 * `scope` (downgrades and stamps): the revision that names the branch the
 * target was written against; only that branch moves.
 */
export type ResolvedTarget =
  | { readonly kind: "base"; readonly scope?: string }
  | { readonly kind: "revisions"; readonly ids: readonly string[]; readonly scope?: string };

/**
 * What the target is for. `upgrade` refuses `-N`, `downgrade` refuses `+N`;
 * `any` (sync, stamp, reports) lets a bare relative form go either way.
 */
export type TargetPurpose = "upgrade" | "downgrade" | "any";

const FORMS =
  "head, heads, base, an id, an id prefix, +N, -N, head-N, base+N, ID+N, ID-N, BRANCH@head, BRANCH@base, BRANCH@ID, " +
  "BRANCH@+N, BRANCH@-N, BRANCH@head-N, BRANCH@base+N (BRANCH: a branch label or a revision)";
const NUMBERED_FORMS = "head, heads, base, 0, a version number, +N, -N, head-N, N+M, N-M or base+N";

const BASE: ResolvedTarget = { kind: "base" };

/** The revisions a resolved target names; none for base. */
export function targetIds(target: ResolvedTarget): string[] {
  return target.kind === "base" ? [] : [...target.ids];
}

/**
 * `+N`, `-N`, `BRANCH@+N` and `BRANCH@-N` depend on what is applied, so
 * they can only be checked once the database is read, unless they go the
 * wrong way for the command (`upgrade -1`), which is refused at once.
 */
export function isRelativeTarget(target: string, purpose: TargetPurpose = "any"): boolean {
  const match = /^(?:[^@]+@)?([+-])\d+$/.exec(target);
  if (match === null) return false;
  if (purpose === "upgrade") return match[1] === "+";
  if (purpose === "downgrade") return match[1] === "-";
  return true;
}

/** A position to walk from: the base state or one revision. */
type Origin = { readonly base: true } | { readonly base: false; readonly id: string };

/**
 * Resolves `target` against the graph. `applied` are the version rows (the
 * applied heads; empty = base), needed only by the forms without a starting
 * point.
 */
export function resolveTarget(
  map: RevisionMap,
  target: string,
  applied: readonly string[],
  scheme: IdScheme = map.scheme,
  purpose: TargetPurpose = "any",
): ResolvedTarget {
  return new Resolver(map, target, scheme, purpose).resolve(applied);
}

/** One resolution: carries the target text for messages. */
class Resolver {
  private readonly lineages = new Map<string, Set<string>>();

  constructor(
    private readonly map: RevisionMap,
    private readonly target: string,
    private readonly scheme: IdScheme,
    private readonly purpose: TargetPurpose,
  ) {}

  resolve(applied: readonly string[]): ResolvedTarget {
    const { map, target } = this;
    if (target === "" || /\s/.test(target)) throw this.malformed();
    if (target === "base") return BASE;
    if (target === "heads") return this.many([...map.realHeads()]);
    if (target === "head") return this.single(this.head());
    if (map.has(target)) return this.single(target);

    const relative = /^(?:([^@]+)@)?([+-])(\d+)$/.exec(target);
    if (relative) return this.fromApplied(relative[1], relative[2] === "+", this.steps(relative[3]!), applied);

    const at = /^([^@]+)@(.+)$/.exec(target);
    if (at) return this.onBranch(at[1]!, at[2]!);
    if (target.includes("@")) throw this.malformed(`write BRANCH@head, BRANCH@base, BRANCH@ID or BRANCH@±N`);

    const offset = /^(.+?)([+-])(\d+)$/.exec(target);
    if (offset) return this.walk(this.origin(offset[1]!), offset[2] === "+", this.steps(offset[3]!));

    if (/^\d+$/.test(target) && this.scheme === "numbered") {
      return Number(target) === 0 ? BASE : this.single(this.number(target));
    }
    return this.single(this.ident(target));
  }

  /** `+N`, `-N`, `BRANCH@+N`, `BRANCH@-N`: counted from the applied revision (on the branch). */
  private fromApplied(branch: string | undefined, up: boolean, steps: number, applied: readonly string[]): ResolvedTarget {
    if (this.purpose === "upgrade" && !up) {
      throw this.error(`goes down, and upgrade only goes up; use \`downgrade ${this.target}\``);
    }
    if (this.purpose === "downgrade" && up) {
      throw this.error(`goes up, and downgrade only goes down; use \`upgrade ${this.target}\``);
    }
    for (const id of applied) {
      if (!this.map.has(id)) {
        throw this.error(`cannot be resolved: the database records revision ${id}, which no script declares`, { applied });
      }
    }
    if (branch === undefined) {
      const origin = this.appliedOrigin(applied);
      // Alembic narrows a `-N` downgrade to the branch of the applied revision it counts from.
      return this.walk(origin, up, steps, undefined, origin.base || this.purpose !== "downgrade" ? undefined : origin.id);
    }
    const root = this.branchRoot(branch);
    const origin = up ? this.appliedTipForUpgrade(branch, applied) : this.appliedTipForDowngrade(branch, applied);
    return this.walk(origin, up, steps, up ? branch : undefined, root);
  }

  /** `BRANCH@head`, `BRANCH@heads`, `BRANCH@base`, `BRANCH@ID`, `BRANCH@SYMBOL±N`. */
  private onBranch(branch: string, rest: string): ResolvedTarget {
    const root = this.branchRoot(branch);
    const offset = /^(.+?)([+-])(\d+)$/.exec(rest);
    if (offset && !this.map.has(rest)) {
      const up = offset[2] === "+";
      return this.walk(this.originOnBranch(offset[1]!, branch), up, this.steps(offset[3]!), up ? branch : undefined, root);
    }
    if (rest === "base") return this.scoped(BASE, root);
    if (rest === "head") return this.scoped(this.single(this.branchHead(branch)), root);
    if (rest === "heads") return this.scoped(this.many(this.branchHeads(branch)), root);
    return this.scoped(this.single(this.identOnBranch(rest, branch)), root);
  }

  /** Downgrades keep the branch on every result; stamps need it only to clear a branch (`BRANCH@base`). */
  private scoped(target: ResolvedTarget, scope: string): ResolvedTarget {
    if (this.purpose === "upgrade" || (this.purpose === "any" && target.kind !== "base")) return target;
    return { ...target, scope };
  }

  private single(id: string | undefined): ResolvedTarget {
    return id === undefined ? BASE : { kind: "revisions", ids: [id] };
  }

  /** Several revisions: fine for upgrade and stamp; a downgrade needs exactly one. */
  private many(ids: readonly string[]): ResolvedTarget {
    if (ids.length === 0) return BASE;
    if (this.purpose === "downgrade" && ids.length > 1) {
      throw this.error(`is ambiguous for a downgrade: it names several heads (${this.map.sortById(ids).join(", ")}); name one`, {
        heads: [...ids],
      });
    }
    return { kind: "revisions", ids: [...ids] };
  }

  /** The single head; undefined for an empty repository (head is then base). */
  private head(): string | undefined {
    const heads = this.map.heads();
    if (heads.length > 1) {
      throw this.error(
        `is ambiguous: the repository has several heads (${heads.join(", ")}); use "heads", name one of them, or merge them with \`tidemark merge\``,
        { heads },
      );
    }
    return heads[0];
  }

  private steps(digits: string): number {
    const n = Number(digits);
    if (!Number.isSafeInteger(n) || n < 1) throw this.malformed("the step count N must be a whole number of at least 1");
    return n;
  }

  /** Where `+N` / `-N` count from: the single applied row. */
  private appliedOrigin(applied: readonly string[]): Origin {
    if (applied.length > 1) {
      throw this.error(
        `is relative to the current revision, but several heads are applied (${this.map.sortById(applied).join(", ")}); use ID+N or ID-N from one of them, or BRANCH@${this.target}`,
        { applied },
      );
    }
    return applied.length === 0 ? { base: true } : { base: false, id: applied[0]! };
  }

  /**
   * `BRANCH@+N` counts from the applied row on the branch; failing that, from
   * the newest applied revision on it (one carried by another row); failing
   * that, from base.
   */
  private appliedTipForUpgrade(branch: string, applied: readonly string[]): Origin {
    const lineage = this.lineage(branch);
    let tips = applied.filter((id) => lineage.has(id));
    if (tips.length === 0) {
      const active = [...this.map.ancestors(applied, { inclusive: true })].filter((id) => lineage.has(id));
      const below = new Set(active.flatMap((id) => this.map.downRevisions(id)));
      tips = active.filter((id) => !below.has(id));
    }
    if (tips.length > 1) {
      throw this.error(
        `is ambiguous: several applied revisions are on branch ${branch} (${this.map.sortById(tips).join(", ")})`,
        {
          applied: this.map.sortById(tips),
        },
      );
    }
    return tips.length === 0 ? { base: true } : { base: false, id: tips[0]! };
  }

  /** `BRANCH@-N` counts from the applied revision on the branch, which must exist and be one. */
  private appliedTipForDowngrade(branch: string, applied: readonly string[]): Origin {
    const lineage = this.lineage(branch);
    let tips = applied.filter((id) => lineage.has(id));
    if (tips.length === 0) {
      const all = this.map.ancestors(applied, { inclusive: true });
      tips = [...all].filter((id) => lineage.has(id) && !this.map.children(id).some((child) => all.has(child)));
    }
    if (tips.length === 0) throw this.error(`cannot be resolved: nothing on branch ${branch} is applied`);
    if (tips.length > 1) {
      throw this.error(
        `is ambiguous: several applied revisions are on branch ${branch} (${this.map.sortById(tips).join(", ")})`,
        {
          applied: this.map.sortById(tips),
        },
      );
    }
    return { base: false, id: tips[0]! };
  }

  /** The start of ID+N / ID-N: head, base, an id, a label, a number or an id prefix. */
  private origin(ident: string): Origin {
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

  /** The start of BRANCH@SYMBOL±N: base, the branch's head, or a revision on the branch. */
  private originOnBranch(symbol: string, branch: string): Origin {
    if (symbol === "base") return { base: true };
    if (symbol === "head") return { base: false, id: this.branchHead(branch) };
    if (symbol === "heads") throw this.malformed(`"heads" cannot be combined with a step; use ${branch}@head-N`);
    return { base: false, id: this.identOnBranch(symbol, branch) };
  }

  /** The revision a branch is named by: the one declaring the label, or the revision itself. */
  private branchRoot(branch: string): string {
    const labelled = this.map.labels.get(branch);
    if (labelled !== undefined) return labelled;
    if (branch === "base" || branch === "head" || branch === "heads") {
      throw this.malformed(`"${branch}@" names no branch; before "@" write a branch label or a revision`);
    }
    const id = this.map.has(branch) ? branch : this.prefixMatch(branch, undefined);
    if (id === undefined) {
      const known = [...this.map.labels.keys()].sort();
      throw this.error(
        `is unknown: ${branch} is neither a branch label nor a revision${known.length > 0 ? ` (labels: ${known.join(", ")})` : ""}; ${this.forms()}`,
      );
    }
    return id;
  }

  private lineage(branch: string): Set<string> {
    const root = this.branchRoot(branch);
    let lineage = this.lineages.get(root);
    if (lineage === undefined) {
      lineage = this.map.lineage(root);
      this.lineages.set(root, lineage);
    }
    return lineage;
  }

  private branchHeads(branch: string): string[] {
    const lineage = this.lineage(branch);
    return this.map.heads().filter((id) => lineage.has(id));
  }

  private branchHead(branch: string): string {
    const heads = this.branchHeads(branch);
    if (heads.length === 1) return heads[0]!;
    throw this.error(
      `is ambiguous: branch ${branch} leads to several heads (${heads.join(", ")}); name one of them or merge them first`,
      { heads },
    );
  }

  /** A full id or unique id prefix among the revisions on the branch. */
  private identOnBranch(text: string, branch: string): string {
    const lineage = this.lineage(branch);
    if (this.map.has(text) || (this.scheme === "numbered" && /^\d+$/.test(text))) {
      const id = this.map.has(text) ? text : this.number(text);
      if (!lineage.has(id)) throw this.error(`is not on branch ${branch}: revision ${id} is neither above nor below it`);
      return id;
    }
    const id = this.prefixMatch(text, lineage);
    if (id === undefined) throw this.error(`is unknown: no revision on branch ${branch} is or starts with ${text}`);
    return id;
  }

  private number(digits: string): string {
    const id = String(Number(digits));
    if (this.map.has(id)) return id;
    const range = this.map.size === 0 ? "it has no versions yet" : `its versions are 1 to ${this.map.size}`;
    throw this.error(`is out of range: repository ${this.map.repository} has no version ${id} (${range})`, {
      version: Number(digits),
    });
  }

  /** A full id or (graph scheme) a unique id prefix. */
  private ident(text: string): string {
    if (this.map.has(text)) return text;
    if (this.map.labels.has(text)) {
      throw this.malformed(`${text} is a branch label; write ${text}@head for the head of its branch`);
    }
    if (this.scheme === "numbered") throw this.malformed();
    const id = this.prefixMatch(text, undefined);
    if (id !== undefined) return id;
    throw this.error(`is unknown: no revision id is or starts with ${text}; ${this.forms()}`);
  }

  /** The one revision (within `among`, when given) whose id starts with `text`; several are an error. */
  private prefixMatch(text: string, among: ReadonlySet<string> | undefined): string | undefined {
    if (this.scheme === "numbered") return undefined;
    const matches = this.map.revisions
      .filter((r) => r.id.startsWith(text) && (among === undefined || among.has(r.id)))
      .map((r) => r.id);
    if (matches.length > 1) {
      const sorted = this.map.sortById(matches);
      throw this.error(`is ambiguous: ${text} is a prefix of ${sorted.join(", ")}; give more characters`, { matches: sorted });
    }
    return matches[0];
  }

  /**
   * Walks N parent (down) or child (up) links; a fork on the way is
   * ambiguous. Walking up on a branch only follows children on it. `scope`
   * is kept on the result for downgrades and stamps.
   */
  private walk(origin: Origin, up: boolean, steps: number, branch?: string, scope?: string): ResolvedTarget {
    const lineage = branch === undefined ? undefined : this.lineage(branch);
    let at = origin;
    for (let step = 1; step <= steps; step++) {
      if (up) {
        let next = at.base ? this.map.bases() : this.map.children(at.id);
        if (lineage !== undefined) next = next.filter((id) => lineage.has(id));
        if (next.length === 0) {
          throw this.error(
            at.base
              ? `is out of range: the repository has no revisions${branch === undefined ? "" : ` on branch ${branch}`}`
              : `is out of range: it goes ${steps - step + 1} step(s) above head ${at.id}`,
            { reached: at.base ? "base" : at.id },
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
            { reached: "base" },
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
    const result = at.base ? BASE : this.single(at.id);
    return scope === undefined ? result : this.scoped(result, scope);
  }

  private forms(): string {
    return `targets are ${this.scheme === "numbered" ? NUMBERED_FORMS : FORMS}`;
  }

  malformed(why?: string): TargetError {
    return this.error(`is not a valid target${why ? ` (${why})` : ""}; ${this.forms()}`);
  }

  error(what: string, fields: Readonly<Record<string, unknown>> = {}): TargetError {
    return new TargetError(`Target "${this.target}" for repository ${this.map.repository} ${what}.`, {
      fields: { repository: this.map.repository, target: this.target, ...fields },
    });
  }
}
