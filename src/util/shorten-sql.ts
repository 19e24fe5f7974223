/** A statement on one line, cut to `max` characters, for error messages. */
export function shortenSql(sql: string, max: number): string {
  const flat = sql.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}
