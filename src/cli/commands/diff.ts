import { UsageError } from "../../errors.js";

/** `diff` needs the declared-schema comparison that autogenerate will bring; say so plainly. */
export async function run(): Promise<number> {
  throw new UsageError(
    "diff is not available in this version of tidemark: comparing a declared schema (config `schema`) with the database is not implemented yet. Use `tidemark check` for graph, checksum and phase-rule problems.",
  );
}
