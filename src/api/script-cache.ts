/**
 * How a command gets a revision's loaded script. A single command loads
 * each script afresh (a long-lived process must see the script as it is on
 * disk now); a fleet run shares one cache over all its targets, so that
 * five hundred databases cost one import of each script, not five hundred.
 */
import type { Revision } from "../graph/revision.js";
import { loadScript, type LoadedScript } from "../repo/loader.js";
import type { DialectName } from "../vocabulary.js";

export type ScriptLoader = (revision: Revision, dialect: DialectName) => Promise<LoadedScript>;

/** No sharing: every call reads the script. */
export const loadFresh: ScriptLoader = loadScript;

/**
 * Loaded scripts by revision (the Revision objects of one Project, so the
 * key is the object) and dialect (SQL is split per dialect). A script that
 * fails to load fails the same way for every target that needs it.
 */
export class ScriptCache {
  private readonly loaded = new WeakMap<Revision, Map<DialectName, Promise<LoadedScript>>>();

  readonly load: ScriptLoader = (revision, dialect) => {
    let byDialect = this.loaded.get(revision);
    if (byDialect === undefined) {
      byDialect = new Map();
      this.loaded.set(revision, byDialect);
    }
    let promise = byDialect.get(dialect);
    if (promise === undefined) {
      promise = loadScript(revision, dialect);
      byDialect.set(dialect, promise);
    }
    return promise;
  };
}
