/**
 * Built-ins known to compute a value and do nothing else, per dialect
 * (lower case, unqualified). Anything not listed is opaque to the phase
 * rules (function-calls.ts): the list is closed, a new harmless built-in
 * is added here, never guessed.
 */
import type { DialectName } from "../vocabulary.js";

function words(text: string): readonly string[] {
  return text.trim().split(/\s+/);
}

const COMMON = words(`
  abs ceil ceiling floor round trunc truncate mod power pow sqrt sign exp ln log log10 log2 greatest
  least coalesce nullif lower upper length char_length character_length octet_length bit_length
  concat concat_ws substr substring left right trim ltrim rtrim replace reverse repeat lpad rpad
  position instr md5 hex char ascii cast now current_timestamp current_date current_time localtime
  localtimestamp date time extract count sum avg min max row_number rank dense_rank percent_rank
  cume_dist ntile lag lead first_value last_value nth_value random json_object json_array
  json_extract json_valid json_type json_quote regexp_replace regexp_substr regexp_like
`);

const BY_DIALECT: Readonly<Record<DialectName, readonly string[]>> = {
  sqlite: words(`
    ifnull iif printf format unicode quote typeof total group_concat zeroblob randomblob datetime
    julianday strftime unixepoch timediff likelihood likely unlikely glob like json jsonb json_set
    json_insert json_replace json_remove json_patch json_array_length json_group_array
    json_group_object json_each json_tree last_insert_rowid changes total_changes sqlite_version
  `),
  mysql: words(`
    if ifnull isnull nvl lcase ucase mid locate substring_index ord quote insert field find_in_set elt
    format space strcmp soundex sha sha1 sha2 crc32 unhex bin oct conv to_base64 from_base64 convert
    collate charset collation rand uuid uuid_short sysdate curdate curtime utc_timestamp utc_date
    utc_time unix_timestamp from_unixtime date_add date_sub adddate subdate addtime subtime datediff
    timediff timestampdiff timestampadd date_format time_format str_to_date makedate maketime year
    month day dayofmonth dayofweek dayofyear week weekday hour minute second microsecond quarter
    last_day to_days from_days group_concat std stddev variance bit_and bit_or bit_xor json_unquote
    json_value json_contains json_contains_path json_keys json_length json_depth json_set json_insert
    json_replace json_remove json_merge_patch json_merge_preserve json_arrayagg json_objectagg
    json_table inet_aton inet_ntoa inet6_aton inet6_ntoa last_insert_id row_count found_rows database
    schema user current_user version connection_id
  `),
  postgres: words(`
    btrim strpos split_part initcap format chr to_hex encode decode overlay translate starts_with
    string_agg array_agg array_length array_to_string string_to_array array_position array_append
    array_prepend array_cat array_remove cardinality unnest generate_series bool_and bool_or every
    stddev variance gen_random_uuid uuid_generate_v4 clock_timestamp statement_timestamp
    transaction_timestamp timezone date_part date_trunc date_bin age make_date make_time make_timestamp
    make_timestamptz make_interval to_char to_date to_timestamp to_number isfinite justify_days
    justify_hours justify_interval to_json to_jsonb row_to_json json_build_object jsonb_build_object
    json_build_array jsonb_build_array json_agg jsonb_agg json_object_agg jsonb_object_agg jsonb_set
    jsonb_insert jsonb_strip_nulls json_strip_nulls jsonb_typeof json_typeof json_extract_path
    jsonb_extract_path json_extract_path_text jsonb_extract_path_text jsonb_array_length
    json_array_length jsonb_array_elements json_array_elements jsonb_each json_each jsonb_object_keys
    json_object_keys regexp_match regexp_matches regexp_split_to_array regexp_count regexp_instr sha224
    sha256 sha384 sha512 current_setting current_schema current_database version currval lastval
    num_nonnulls num_nulls pg_typeof pg_collation_for lower_inc upper_inc isempty numrange int4range
    int8range tsrange tstzrange daterange to_tsvector to_tsquery plainto_tsquery websearch_to_tsquery
    setweight ts_rank to_regclass to_regtype to_regproc to_regnamespace format_type obj_description
    col_description pg_get_constraintdef pg_get_indexdef pg_get_viewdef pg_get_triggerdef
    pg_get_serial_sequence pg_get_expr pg_table_is_visible pg_relation_size pg_total_relation_size
    pg_table_size pg_indexes_size pg_column_size pg_size_pretty pg_backend_pid pg_is_in_recovery
    has_table_privilege has_column_privilege has_schema_privilege has_sequence_privilege quote_ident
    quote_literal quote_nullable
  `),
};

/** Built-ins that change sequences: a data change, not a read. */
export const SEQUENCE_WRITERS: ReadonlySet<string> = new Set(["nextval", "setval"]);

const SAFE: Readonly<Record<DialectName, ReadonlySet<string>>> = {
  sqlite: new Set([...COMMON, ...BY_DIALECT.sqlite]),
  mysql: new Set([...COMMON, ...BY_DIALECT.mysql]),
  postgres: new Set([...COMMON, ...BY_DIALECT.postgres]),
};

/** True when `name` (unqualified, any case) is a built-in that only computes a value. */
export function isSafeFunction(name: string, dialect: DialectName): boolean {
  const lower = name.toLowerCase();
  // SQLite's table-valued pragma functions only read (`pragma_table_info('t')`).
  if (dialect === "sqlite" && lower.startsWith("pragma_")) return true;
  return SAFE[dialect].has(lower);
}
