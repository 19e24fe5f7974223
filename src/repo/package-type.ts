/**
 * Whether `.js` files in a folder are ES modules or CommonJS, as Node
 * decides it: the `type` of the nearest package.json above. New `.js`
 * scripts are written in that style, so that editors, linters and the
 * project's own tools read them as the rest of its code.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

export type ModuleStyle = "esm" | "commonjs";

export function moduleStyleOf(dir: string): ModuleStyle {
  for (let current = dir; ; current = dirname(current)) {
    let text: string | undefined;
    try {
      text = readFileSync(join(current, "package.json"), "utf8");
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      try {
        return (JSON.parse(text) as { type?: unknown }).type === "module" ? "esm" : "commonjs";
      } catch {
        return "commonjs";
      }
    }
    if (dirname(current) === current) return "commonjs";
  }
}
