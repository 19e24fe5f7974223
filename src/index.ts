/** The public API of tidemark. The CLI is one client of it. */
export { Tidemark } from "./api/tidemark.js";
export type * from "./api/types.js";
export { defineConfig } from "./config/define-config.js";
export type { TidemarkConfig, RepositoryConfig, ResolvedConfig, ResolvedRepository } from "./config/types.js";
export type { OpBuilder as Op, OpBuilder } from "./ops/builder.js";
export type { ExpandOp, MigrateOp, ContractOp } from "./phases/phase-builders.js";
export type * from "./ops/op.js";
export type { BackfillOptions, BackfillResult } from "./ops/backfill-options.js";
export type { Dialect, DialectName, Connection, Statement } from "./dialects/dialect.js";
export type { SchemaModel, TableModel, ColumnModel } from "./dialects/schema-model.js";
export * from "./errors.js";
export { defineSchema, sql } from "./autogen/schema-dsl.js";
export type { SchemaDefinition, DeclaredTable, DeclaredColumn, DeclaredIndex } from "./autogen/schema-dsl.js";
export type { AutogenerateOptions, AutogenerateResult, DiffOptions, DiffResult, SchemaChanges } from "./api/autogenerate.js";
