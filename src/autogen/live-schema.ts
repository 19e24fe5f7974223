/**
 * What introspection reported (SchemaModel) as a SchemaSpec of origin
 * `database`: types as the database spells them, defaults as SQL text.
 * Used for the live database and for a `.sql` schema run on a scratch one.
 */
import { sqlExpression } from "../ops/op.js";
import type { SchemaModel, TableModel } from "../dialects/schema-model.js";
import type { SchemaSpec, TableEntry } from "./schema-spec.js";

export function liveSchema(model: SchemaModel): SchemaSpec {
  return {
    tables: model.tables.map(liveTable),
    views: model.views.map((view) => ({ name: view.name, sql: view.sql.trim().replace(/;\s*$/, "") })),
  };
}

export function liveTable(table: TableModel): TableEntry {
  return {
    name: table.name,
    origin: "database",
    columns: table.columns.map((column) => ({
      name: column.name,
      type: column.type,
      nullable: column.nullable,
      default: column.default === null ? undefined : sqlExpression(column.default),
      autoIncrement: column.autoIncrement,
    })),
    primaryKey: table.primaryKey,
    indexes: table.indexes.map((index) => ({
      name: index.name,
      columns: index.columns,
      unique: index.unique,
      ...(index.where === undefined ? {} : { where: index.where }),
    })),
    uniques: table.uniques,
    foreignKeys: table.foreignKeys,
    checks: table.checks,
  };
}
