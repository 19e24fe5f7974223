/**
 * The version rows an offline script leaves, replayed from its text: its
 * fenced statements move a row in place, remove one, or add one while the
 * count is as planned (src/runtime/version-store.ts).
 */
export function versionRowsAfter(sql: string, start: Iterable<string>): Set<string> {
  const rows = new Set(start);
  for (const line of sql.split("\n")) {
    const moved = /^UPDATE "tidemark_version" SET "version" = '(\w+)' WHERE .* AND "version" = '(\w+)';$/.exec(line);
    if (moved) {
      rows.delete(moved[2] as string);
      rows.add(moved[1] as string);
    }
    const removed = /^DELETE FROM "tidemark_version" WHERE .* AND "version" = '(\w+)';$/.exec(line);
    if (removed) rows.delete(removed[1] as string);
    const added = /^INSERT INTO "tidemark_version" .* SELECT 'core', '', '(\w+)'/.exec(line);
    if (added) rows.add(added[1] as string);
  }
  return rows;
}
