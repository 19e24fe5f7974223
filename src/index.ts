/**
 * The public API of tidemark: the facade, its options, results and events,
 * the config and the Op API that scripts are written against, and the
 * error classes. Nothing else is part of the contract; the CLI is one
 * client of exactly this.
 */
export { Tidemark } from "./api/tidemark.js";
export type * from "./api/types.js";
export type * from "./api/fleet-types.js";
export type { Fleet } from "./api/fleet.js";
export { defineConfig } from "./config/define-config.js";
export type { TidemarkConfig, RepositoryConfig } from "./config/types.js";
export type { FleetConfig, FleetTargetEntry } from "./config/fleet-types.js";
export type {
  OpBuilder as Op,
  OpBuilder,
  AlterColumnChanges,
  BackfillTypeChangeOptions,
  ChangeTypeOptions,
  CreateIndexOptions,
  CreateTableOptions,
  DropSyncOptions,
  ExecuteOptions,
  ForeignKeyOptions,
  QueryOptions,
  SyncColumnsOptions,
} from "./ops/builder.js";
export type { ExpandOp, MigrateOp, ContractOp } from "./phases/phase-builders.js";
/** The operations as data: what a script's calls become, and what `diff` and autogenerate return. */
export type {
  AddCheck,
  AddColumn,
  AddForeignKey,
  AddUnique,
  AliasTable,
  AllowWrites,
  AlterColumn,
  BulkInsert,
  CheckDef,
  ColumnDef,
  ColumnReference,
  ColumnSpec,
  ConstraintType,
  CreateIndex,
  CreateTable,
  CreateView,
  DefaultValue,
  DropColumn,
  DropConstraint,
  DropIndex,
  DropSync,
  DropTable,
  DropView,
  Execute,
  ForbidWrites,
  ForeignKeyAction,
  ForeignKeyDef,
  OpKind,
  RenameColumn,
  RenameTable,
  SetNotNull,
  SqlExpression,
  SwapColumn,
  SyncColumns,
  UniqueDef,
  ValidateConstraint,
  Op as Operation,
} from "./ops/op.js";
export type { BackfillOptions, BackfillResult } from "./ops/backfill-options.js";
export type { DialectName, Row } from "./vocabulary.js";
export * from "./errors.js";
export { defineSchema, sql } from "./autogen/schema-dsl.js";
export type { SchemaDefinition, DeclaredTable, DeclaredColumn, DeclaredIndex } from "./autogen/schema-dsl.js";
