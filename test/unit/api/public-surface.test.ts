/**
 * The package's public surface (issue 10): what `import … from "tidemark"`
 * offers is the facade, the config and Op API types, results, events and
 * error classes — nothing of the engine inside. A name added to or dropped
 * from the package's exports fails here until this list says so.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as tidemark from "../../../src/index.js";

/** The names dist/index.d.ts exports (types included), read from the emitted declarations. */
function declaredNames(): string[] {
  const text = readFileSync(new URL("../../../dist/index.d.ts", import.meta.url), "utf8");
  const names = new Set<string>();
  for (const match of text.matchAll(/export (?:type )?\{([^}]*)\}/g)) {
    for (const part of (match[1] as string).split(",")) {
      const name = part
        .trim()
        .split(/\s+as\s+/)
        .pop()
        ?.trim();
      if (name) names.add(name);
    }
  }
  for (const match of text.matchAll(/export (?:type )?\* from "([^"]+)"/g)) names.add(`* from ${match[1]}`);
  return [...names].sort();
}

describe("the public surface", () => {
  it("exports, at run time, the facade, defineConfig, defineSchema with sql() and the error classes only", () => {
    expect(Object.keys(tidemark).sort()).toEqual([
      "AbortRefusedError",
      "BlockedError",
      "ConfigError",
      "DatabaseError",
      "DependencyError",
      "DriverMissingError",
      "FenceError",
      "GraphError",
      "InterruptedError",
      "LockLostError",
      "LockTimeoutError",
      "MigrationError",
      "OfflineError",
      "PhaseOrderError",
      "PhaseRuleError",
      "SchemaError",
      "ScriptError",
      "TargetError",
      "Tidemark",
      "TidemarkError",
      "UsageError",
      "defineConfig",
      "defineSchema",
      "messageOf",
      "sql",
    ]);
  });

  it("declares the types of the facade's results, the config and the Op API, and no engine internals", () => {
    const names = declaredNames();
    expect(names).toEqual([
      "* from ./api/fleet-types.js",
      "* from ./api/types.js",
      "* from ./errors.js",
      "AddCheck",
      "AddColumn",
      "AddForeignKey",
      "AddUnique",
      "AliasTable",
      "AllowWrites",
      "AlterColumn",
      "AlterColumnChanges",
      "BackfillOptions",
      "BackfillResult",
      "BackfillTypeChangeOptions",
      "BulkInsert",
      "ChangeTypeOptions",
      "CheckDef",
      "ColumnDef",
      "ColumnReference",
      "ColumnSpec",
      "ConstraintType",
      "ContractOp",
      "CreateIndex",
      "CreateIndexOptions",
      "CreateTable",
      "CreateTableOptions",
      "CreateView",
      "DeclaredColumn",
      "DeclaredIndex",
      "DeclaredTable",
      "DefaultValue",
      "DialectName",
      "DropColumn",
      "DropConstraint",
      "DropIndex",
      "DropSync",
      "DropSyncOptions",
      "DropTable",
      "DropView",
      "Execute",
      "ExecuteOptions",
      "ExpandOp",
      "Fleet",
      "FleetConfig",
      "FleetTargetEntry",
      "ForbidWrites",
      "ForeignKeyAction",
      "ForeignKeyDef",
      "ForeignKeyOptions",
      "MigrateOp",
      "Op",
      "OpBuilder",
      "OpKind",
      "Operation",
      "QueryOptions",
      "RenameColumn",
      "RenameTable",
      "RepositoryConfig",
      "Row",
      "SchemaDefinition",
      "SetNotNull",
      "SqlExpression",
      "SwapColumn",
      "SyncColumns",
      "SyncColumnsOptions",
      "Tidemark",
      "TidemarkConfig",
      "UniqueDef",
      "ValidateConstraint",
      "defineConfig",
      "defineSchema",
      "sql",
    ]);
    for (const internal of ["Project", "RevisionMap", "Session", "VersionStore", "LogStore", "Dialect", "Workspace", "Runner"]) {
      expect(names).not.toContain(internal);
    }
  });

  it("keeps the facade's declaration free of the engine's types", () => {
    const facade = readFileSync(new URL("../../../dist/api/tidemark.d.ts", import.meta.url), "utf8");
    expect(facade).not.toMatch(/\b(Project|RevisionMap|Session|VersionStore|LogStore|Dialect|Runner)\b/);
    expect(facade).toMatch(/private readonly workspace;/);
  });
});
