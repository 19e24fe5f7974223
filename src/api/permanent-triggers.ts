/**
 * Triggers a revision declares permanent: a `tidemark:permanent-trigger
 * NAME` mark in any of its script files (README "Trigger audit"). Such a
 * trigger may outlive the window its expand step opened.
 */
import { readFileSync } from "node:fs";
import { permanentTriggerMarks } from "../phases/trigger-audit.js";
import type { LoadedScript } from "../repo/loader.js";

/** Triggers the revision's scripts declare permanent (`tidemark:permanent-trigger NAME`). */
export function permanentTriggers(loaded: LoadedScript): string[] {
  const files = new Set([...loaded.checksums.keys()]);
  for (const body of Object.values(loaded.bodies)) if (body?.file !== undefined) files.add(body.file);
  const names: string[] = [];
  for (const file of files) {
    try {
      names.push(...permanentTriggerMarks(readFileSync(file, "utf8")));
    } catch {
      // A file that cannot be read now was read when the script loaded; its marks are only a permission.
    }
  }
  return names;
}
