/**
 * Seeded random schemas for the autogenerate property test: a schema S1 and
 * a mutation S2 of it, over every portable type, nullability, defaults,
 * single and composite keys, uniques, indexes (partial where the dialect has
 * them), foreign keys with actions, checks, views and hinted renames.
 *
 * The mutations are the ones a database can apply with rows present and
 * undo again: types only widen, a dropped column is nullable or defaulted,
 * an added NOT NULL column has a default, a new unique or check holds for
 * the rows the test inserts (distinct per row, non-negative, non-empty).
 * Foreign key columns are nullable and left NULL in the rows, so that a
 * dropped parent can come back empty in the downgrade.
 */
import type { DialectName } from "../../src/dialects/dialect.js";

export type PortableType =
  | "integer"
  | "bigint"
  | "smallint"
  | "text"
  | "varchar(40)"
  | "varchar(80)"
  | "boolean"
  | "real"
  | "double"
  | "decimal(10,2)"
  | "decimal(12,2)"
  | "date"
  | "timestamp"
  | "timestamptz"
  | "json"
  | "blob"
  | "uuid";

export type DefaultSpec = { readonly value: string | number | boolean } | { readonly sql: string };

export interface GenColumn {
  name: string;
  type: PortableType;
  nullable: boolean;
  default?: DefaultSpec;
  autoIncrement?: boolean;
  renamedFrom?: string;
  /** Part of a foreign key (nullable, NULL in the rows, never altered). */
  fk?: boolean;
}

export interface GenIndex {
  columns: string[];
  unique: boolean;
  where?: string;
}

export interface GenForeignKey {
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: "cascade" | "set null" | "no action" | "restrict";
}

export interface GenTable {
  name: string;
  renamedFrom?: string;
  columns: GenColumn[];
  primaryKey: string[];
  indexes: GenIndex[];
  uniques: string[][];
  foreignKeys: GenForeignKey[];
  checks: { column: string; expression: string }[];
}

export interface GenSchema {
  tables: GenTable[];
  views: { name: string; table: string; columns: string[] }[];
}

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

const TYPES: readonly PortableType[] = [
  "integer",
  "bigint",
  "smallint",
  "text",
  "varchar(40)",
  "varchar(80)",
  "boolean",
  "real",
  "double",
  "decimal(10,2)",
  "date",
  "timestamp",
  "timestamptz",
  "json",
  "blob",
  "uuid",
];
/** MySQL cannot index text, blob or json without a prefix length. */
const INDEXABLE = new Set<PortableType>([
  "integer",
  "bigint",
  "smallint",
  "varchar(40)",
  "varchar(80)",
  "real",
  "double",
  "decimal(10,2)",
  "decimal(12,2)",
  "date",
  "timestamp",
  "timestamptz",
  "uuid",
]);
const WIDER: Partial<Record<PortableType, PortableType>> = {
  smallint: "integer",
  integer: "bigint",
  "varchar(40)": "varchar(80)",
  "varchar(80)": "text",
  real: "double",
  "decimal(10,2)": "decimal(12,2)",
};
const NUMERIC = new Set<PortableType>(["integer", "bigint", "smallint", "real", "double", "decimal(10,2)", "decimal(12,2)"]);

function defaultFor(random: Random, type: PortableType): DefaultSpec | undefined {
  switch (type) {
    case "integer":
    case "bigint":
    case "smallint":
      return { value: random.int(0, 9) };
    case "text":
    case "varchar(40)":
    case "varchar(80)":
      return { value: random.pick(["x", "it's", "a b", ""]) };
    case "boolean":
      return { value: random.chance(0.5) };
    case "real":
    case "double":
      return { value: random.pick([0.5, 1.25, 2]) };
    case "decimal(10,2)":
    case "decimal(12,2)":
      return { value: random.pick([1.25, 0, 10.5]) };
    case "date":
      return { value: "2020-01-02" };
    case "timestamp":
      return random.chance(0.5) ? { sql: "CURRENT_TIMESTAMP" } : { value: "2020-01-02 03:04:05" };
    case "timestamptz":
      return { sql: "CURRENT_TIMESTAMP" };
    default:
      return undefined;
  }
}

export class SchemaGenerator {
  private counter = 0;

  constructor(
    private readonly random: Random,
    private readonly dialect: DialectName,
  ) {}

  private name(prefix: string): string {
    this.counter += 1;
    return `${prefix}${this.counter}`;
  }

  private column(type: PortableType = this.random.pick(TYPES)): GenColumn {
    const column: GenColumn = { name: this.name("c"), type, nullable: this.random.chance(0.6) };
    if (this.random.chance(0.4)) {
      const value = defaultFor(this.random, type);
      if (value !== undefined) column.default = value;
    }
    return column;
  }

  private table(existing: readonly GenTable[]): GenTable {
    const composite = this.random.chance(0.25);
    const columns: GenColumn[] = composite
      ? [
          { name: this.name("k"), type: "integer", nullable: false },
          { name: this.name("k"), type: "varchar(40)", nullable: false },
        ]
      : [{ name: "id", type: "integer", nullable: false, ...(this.random.chance(0.5) ? { autoIncrement: true } : {}) }];
    const table: GenTable = {
      name: this.name("t"),
      columns,
      primaryKey: columns.map((column) => column.name),
      indexes: [],
      uniques: [],
      foreignKeys: [],
      checks: [],
    };
    for (let i = this.random.int(1, 4); i > 0; i -= 1) table.columns.push(this.column());
    for (let i = this.random.int(0, 2); i > 0; i -= 1) this.addIndex(table);
    if (this.random.chance(0.3)) this.addUnique(table);
    if (this.random.chance(0.3)) this.addCheck(table);
    if (existing.length > 0 && this.random.chance(0.5)) this.addForeignKey(table, this.random.pick(existing));
    return table;
  }

  private indexable(table: GenTable): GenColumn[] {
    return table.columns.filter((column) => INDEXABLE.has(column.type));
  }

  private addIndex(table: GenTable, old: (column: GenColumn) => boolean = () => true): void {
    const candidates = this.indexable(table).filter(old);
    if (candidates.length === 0) return;
    const columns = [
      ...new Set([this.random.pick(candidates).name, ...(this.random.chance(0.3) ? [this.random.pick(candidates).name] : [])]),
    ];
    const signature = columns.join(",");
    if (table.indexes.some((index) => index.columns.join(",") === signature)) return;
    const index: GenIndex = { columns, unique: false };
    const first = table.columns.find((column) => column.name === columns[0])!;
    if (this.dialect !== "mysql" && NUMERIC.has(first.type) && this.random.chance(0.3)) index.where = `${first.name} > 0`;
    else if (this.random.chance(0.2)) index.unique = true;
    table.indexes.push(index);
  }

  private addUnique(table: GenTable, old: (column: GenColumn) => boolean = () => true): void {
    // A unique on the whole primary key is no constraint at all (PostgreSQL does not create it).
    const candidates = this.indexable(table).filter(
      (column) => !column.fk && old(column) && table.primaryKey.join(",") !== column.name,
    );
    if (candidates.length === 0) return;
    const column = this.random.pick(candidates).name;
    if (
      table.uniques.some((unique) => unique.join(",") === column) ||
      table.indexes.some((index) => index.unique && index.columns.join(",") === column)
    )
      return;
    table.uniques.push([column]);
  }

  private addCheck(table: GenTable): void {
    // MySQL refuses a CHECK on an AUTO_INCREMENT column: checks go on plain columns.
    const candidates = table.columns.filter(
      (column) =>
        !column.fk &&
        !table.primaryKey.includes(column.name) &&
        !table.checks.some((check) => check.column === column.name) &&
        (NUMERIC.has(column.type) || column.type.startsWith("varchar")),
    );
    if (candidates.length === 0) return;
    const column = this.random.pick(candidates);
    table.checks.push({
      column: column.name,
      expression: NUMERIC.has(column.type) ? `${column.name} >= 0` : `${column.name} <> 'forbidden'`,
    });
  }

  private addForeignKey(table: GenTable, parent: GenTable): void {
    const columns = parent.primaryKey.map((key) => {
      const type = parent.columns.find((column) => column.name === key)!.type;
      const column: GenColumn = { name: this.name("f"), type, nullable: true, fk: true };
      table.columns.push(column);
      return column.name;
    });
    table.foreignKeys.push({
      columns,
      refTable: parent.name,
      refColumns: [...parent.primaryKey],
      onDelete: this.random.pick(["cascade", "set null", "no action", "restrict"] as const),
    });
  }

  private views(schema: GenSchema): void {
    schema.views = [];
    for (const table of schema.tables) {
      if (!table.primaryKey.includes("id") || !this.random.chance(0.3)) continue;
      const others = table.columns.filter((column) => column.name !== "id" && column.type !== "json" && column.type !== "blob");
      const columns = ["id", ...(others.length === 0 ? [] : [this.random.pick(others).name])];
      schema.views.push({ name: this.name("v"), table: table.name, columns });
    }
  }

  first(): GenSchema {
    const schema: GenSchema = { tables: [], views: [] };
    for (let i = this.random.int(1, 4); i > 0; i -= 1) schema.tables.push(this.table(schema.tables));
    this.views(schema);
    return schema;
  }

  /** A mutation of `before` (which is not changed); hints name what was renamed. */
  next(before: GenSchema): GenSchema {
    const schema: GenSchema = structuredClone(before);
    for (const table of schema.tables) {
      delete table.renamedFrom;
      for (const column of table.columns) delete column.renamedFrom;
    }
    const r = this.random;
    if (schema.tables.length > 1 && r.chance(0.25)) this.dropTable(schema, r.pick(schema.tables));
    if (r.chance(0.3)) schema.tables.push(this.table(schema.tables));
    const existed = schema.tables.filter((table) => before.tables.some((old) => old.name === table.name));
    if (existed.length > 0 && r.chance(0.15)) {
      const table = r.pick(existed);
      const to = this.name("t");
      for (const other of schema.tables) for (const fk of other.foreignKeys) if (fk.refTable === table.name) fk.refTable = to;
      table.renamedFrom = table.name;
      table.name = to;
    }
    for (const table of schema.tables) {
      const original = before.tables.find((old) => old.name === (table.renamedFrom ?? table.name));
      // Not every table changes in every pair: smaller revisions, and the test's time goes into more pairs.
      if (original !== undefined && r.chance(0.6)) this.mutateTable(schema, table, original);
    }
    if (r.chance(0.5)) this.views(schema);
    else
      schema.views = schema.views.filter((view) => {
        const table = schema.tables.find((t) => t.name === view.table);
        return table !== undefined && view.columns.every((c) => table.columns.some((column) => column.name === c));
      });
    return schema;
  }

  private dropTable(schema: GenSchema, table: GenTable): void {
    schema.tables = schema.tables.filter((t) => t !== table);
    for (const other of schema.tables) other.foreignKeys = other.foreignKeys.filter((fk) => fk.refTable !== table.name);
    schema.views = schema.views.filter((view) => view.table !== table.name);
  }

  /** Columns of `original` hold distinct values in every row; new ones hold one default or NULL. */
  private mutateTable(schema: GenSchema, table: GenTable, original: GenTable): void {
    const r = this.random;
    const old = (column: GenColumn): boolean => original.columns.some((c) => c.name === (column.renamedFrom ?? column.name));
    const plain = (): GenColumn[] => table.columns.filter((column) => !table.primaryKey.includes(column.name) && !column.fk);
    const used = (name: string): boolean =>
      table.indexes.some((index) => index.columns.includes(name)) ||
      table.uniques.some((unique) => unique.includes(name)) ||
      table.checks.some((check) => check.column === name);
    if (r.chance(0.35)) {
      const column = this.column();
      if (!column.nullable && column.default === undefined) column.nullable = true;
      table.columns.push(column);
    }
    // A dropped column comes back in the downgrade holding NULL or its default in every row: one default
    // in every row breaks a unique on it, and NULL a NOT NULL without a default.
    const inUnique = (name: string): boolean =>
      table.uniques.some((unique) => unique.includes(name)) ||
      table.indexes.some((index) => index.unique && index.columns.includes(name));
    const droppable = plain().filter(
      (column) => (column.nullable && column.default === undefined) || (column.default !== undefined && !inUnique(column.name)),
    );
    if (droppable.length > 0 && r.chance(0.3)) {
      const column = r.pick(droppable);
      table.columns = table.columns.filter((c) => c !== column);
      table.indexes = table.indexes.filter((index) => !index.columns.includes(column.name));
      table.uniques = table.uniques.filter((unique) => !unique.includes(column.name));
      table.checks = table.checks.filter((check) => check.column !== column.name);
    }
    const renamable = plain().filter((column) => old(column) && !table.checks.some((check) => check.column === column.name));
    if (renamable.length > 0 && r.chance(0.25)) {
      const column = r.pick(renamable);
      const to = this.name("c");
      for (const index of table.indexes) index.columns = index.columns.map((c) => (c === column.name ? to : c));
      table.uniques = table.uniques.map((unique) => unique.map((c) => (c === column.name ? to : c)));
      for (const index of table.indexes)
        if (index.where !== undefined) index.where = index.where.replace(new RegExp(`\\b${column.name}\\b`), to);
      column.renamedFrom = column.name;
      column.name = to;
    }
    for (const column of plain().filter(old)) {
      if (!r.chance(0.25)) continue;
      switch (r.int(0, 2)) {
        case 0: {
          const wider = WIDER[column.type];
          // A column in an index cannot become unindexable text on MySQL.
          if (wider !== undefined && !(wider === "text" && used(column.name))) column.type = wider;
          break;
        }
        case 1:
          column.nullable = !column.nullable;
          break;
        default: {
          const value = r.chance(0.3) ? undefined : defaultFor(r, column.type);
          if (value === undefined) delete column.default;
          else column.default = value;
        }
      }
    }
    if (r.chance(0.25)) this.addIndex(table, old);
    if (table.indexes.length > 0 && r.chance(0.2)) table.indexes.splice(r.int(0, table.indexes.length - 1), 1);
    if (r.chance(0.2)) this.addUnique(table, old);
    if (table.uniques.length > 0 && r.chance(0.2)) table.uniques.splice(r.int(0, table.uniques.length - 1), 1);
    if (r.chance(0.2)) this.addCheck(table);
    if (table.checks.length > 0 && r.chance(0.2)) table.checks.splice(r.int(0, table.checks.length - 1), 1);
    if (table.foreignKeys.length > 0 && r.chance(0.3)) {
      const fk = r.pick(table.foreignKeys);
      if (r.chance(0.5)) fk.onDelete = r.pick(["cascade", "set null", "no action", "restrict"] as const);
      else table.foreignKeys = table.foreignKeys.filter((other) => other !== fk);
    }
    const parents = schema.tables.filter((other) => other !== table);
    if (parents.length > 0 && r.chance(0.2)) this.addForeignKey(table, r.pick(parents));
  }
}

/** The schema as a module a user would write. */
export function schemaModule(schema: GenSchema): string {
  const lines = ['import { defineSchema, sql } from "tidemark";', "export default defineSchema({", "  tables: {"];
  for (const table of schema.tables) {
    lines.push(`    ${table.name}: {`);
    if (table.renamedFrom !== undefined) lines.push(`      renamedFrom: ${JSON.stringify(table.renamedFrom)},`);
    lines.push("      columns: {");
    for (const column of table.columns) {
      const parts = [`type: ${JSON.stringify(column.type)}`];
      if (!column.nullable && !table.primaryKey.includes(column.name)) parts.push("nullable: false");
      if (column.default !== undefined)
        parts.push(
          `default: ${"sql" in column.default ? `sql(${JSON.stringify(column.default.sql)})` : JSON.stringify(column.default.value)}`,
        );
      if (column.autoIncrement === true) parts.push("autoIncrement: true");
      if (column.renamedFrom !== undefined) parts.push(`renamedFrom: ${JSON.stringify(column.renamedFrom)}`);
      lines.push(`        ${column.name}: { ${parts.join(", ")} },`);
    }
    lines.push("      },");
    lines.push(`      primaryKey: ${JSON.stringify(table.primaryKey)},`);
    lines.push(
      `      indexes: ${JSON.stringify(table.indexes.map((index) => ({ columns: index.columns, ...(index.unique ? { unique: true } : {}), ...(index.where === undefined ? {} : { where: index.where }) })))},`,
    );
    lines.push(`      uniques: ${JSON.stringify(table.uniques.map((columns) => ({ columns })))},`);
    lines.push(`      foreignKeys: ${JSON.stringify(table.foreignKeys)},`);
    lines.push(`      checks: ${JSON.stringify(table.checks.map((check) => ({ expression: check.expression })))},`);
    lines.push("    },");
  }
  lines.push("  },");
  lines.push(
    `  views: ${JSON.stringify(Object.fromEntries(schema.views.map((view) => [view.name, `SELECT ${view.columns.join(", ")} FROM ${view.table} WHERE id > 0`])))},`,
  );
  lines.push("});", "");
  return lines.join("\n");
}

/** A value of `type` for row `row`, distinct per row, valid for every check the generator writes. */
export function rowValue(type: PortableType, row: number, dialect: DialectName): unknown {
  switch (type) {
    case "integer":
    case "bigint":
    case "smallint":
      return 10 + row;
    case "text":
    case "varchar(40)":
    case "varchar(80)":
      return `v${row}'s`;
    case "boolean":
      return dialect === "postgres" ? row % 2 === 0 : row % 2;
    case "real":
    case "double":
      return row + 0.5;
    case "decimal(10,2)":
    case "decimal(12,2)":
      return row + 0.25;
    case "date":
      return `2021-03-0${row + 1}`;
    case "timestamp":
    case "timestamptz":
      return `2021-03-0${row + 1} 10:11:12`;
    case "json":
      return JSON.stringify({ row });
    case "blob":
      return Buffer.from([row, 255 - row]);
    case "uuid":
      return `00000000-0000-4000-8000-00000000000${row}`;
  }
}
