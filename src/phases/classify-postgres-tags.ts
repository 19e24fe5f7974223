/**
 * PostgreSQL statements whose category follows from their parse-tree tag
 * alone (classify-postgres.ts judges the others by their fields). A tag in
 * no table is opaque: the lists are closed.
 */

export const ADDITIVE_TAGS: Readonly<Record<string, string>> = {
  CreateSchemaStmt: "CREATE SCHEMA",
  CreateSeqStmt: "CREATE SEQUENCE",
  CreateExtensionStmt: "CREATE EXTENSION",
  CreateDomainStmt: "CREATE DOMAIN",
  CompositeTypeStmt: "CREATE TYPE",
  CreateEnumStmt: "CREATE TYPE … AS ENUM",
  CreateRangeStmt: "CREATE TYPE … AS RANGE",
  CreateStatsStmt: "CREATE STATISTICS",
  CreateRoleStmt: "CREATE ROLE",
  CreatePublicationStmt: "CREATE PUBLICATION",
  CreateTableSpaceStmt: "CREATE TABLESPACE",
  CreatedbStmt: "CREATE DATABASE",
};

export const NEUTRAL_TAGS: Readonly<Record<string, string>> = {
  VariableShowStmt: "SHOW",
  DiscardStmt: "DISCARD",
  ConstraintsSetStmt: "SET CONSTRAINTS",
  CheckPointStmt: "CHECKPOINT",
  ListenStmt: "LISTEN",
  UnlistenStmt: "UNLISTEN",
  NotifyStmt: "NOTIFY",
  VacuumStmt: "VACUUM/ANALYZE",
  ClusterStmt: "CLUSTER",
  ReindexStmt: "REINDEX",
  DeclareCursorStmt: "DECLARE CURSOR",
  FetchStmt: "FETCH",
  ClosePortalStmt: "CLOSE",
  DeallocateStmt: "DEALLOCATE",
  CommentStmt: "COMMENT ON",
  SecLabelStmt: "SECURITY LABEL",
  AlterOwnerStmt: "ALTER … OWNER TO",
  AlterDefaultPrivilegesStmt: "ALTER DEFAULT PRIVILEGES",
  AlterStatsStmt: "ALTER STATISTICS",
  AlterCollationStmt: "ALTER COLLATION",
  AlterTableSpaceOptionsStmt: "ALTER TABLESPACE",
  AlterTableMoveAllStmt: "ALTER … SET TABLESPACE",
  ReassignOwnedStmt: "REASSIGN OWNED",
};

/** Statements whose effect is not in their text, or that may reject, discard or rewrite the old release's work. */
export const OPAQUE_TAGS: Readonly<Record<string, readonly [string, string]>> = {
  RuleStmt: ["CREATE RULE", "a rule may rewrite or discard the old release's writes (DO INSTEAD NOTHING)"],
  CreateFunctionStmt: ["CREATE FUNCTION", "a function may run any statement whenever it is called"],
  CreateEventTrigStmt: ["CREATE EVENT TRIGGER", "an event trigger runs code on every DDL statement"],
  CreatePolicyStmt: ["CREATE POLICY", "a row-security policy may hide or reject the old release's rows"],
  DefineStmt: ["CREATE AGGREGATE/OPERATOR/TYPE", "its functions run wherever it is used"],
  CreateCastStmt: ["CREATE CAST", "a cast changes how existing expressions are evaluated"],
  CreateConversionStmt: ["CREATE CONVERSION", "a default conversion changes how text is converted"],
  CreateOpClassStmt: ["CREATE OPERATOR CLASS", "a default operator class changes how indexes compare"],
  CreateOpFamilyStmt: ["CREATE OPERATOR FAMILY", "its functions run wherever it is used"],
  CreatePLangStmt: ["CREATE LANGUAGE", "it loads code into the server"],
  CreateTransformStmt: ["CREATE TRANSFORM", "its functions run wherever it is used"],
  CreateAmStmt: ["CREATE ACCESS METHOD", "it loads code into the server"],
  CreateSubscriptionStmt: ["CREATE SUBSCRIPTION", "a subscription writes rows from another server"],
  CreateFdwStmt: ["CREATE FOREIGN DATA WRAPPER", "it reaches another server"],
  CreateForeignServerStmt: ["CREATE SERVER", "it reaches another server"],
  CreateUserMappingStmt: ["CREATE USER MAPPING", "it reaches another server"],
  CreateForeignTableStmt: ["CREATE FOREIGN TABLE", "it reaches another server"],
  ImportForeignSchemaStmt: ["IMPORT FOREIGN SCHEMA", "it reaches another server"],
  LockStmt: ["LOCK TABLE", "blocks the old release's reads and writes until the step commits"],
  LoadStmt: ["LOAD", "loads a shared library into the server"],
  PrepareStmt: ["PREPARE", "prepares a statement that runs later, unseen (EXECUTE)"],
  ExecuteStmt: ["EXECUTE", "runs a prepared statement tidemark does not see"],
  DoStmt: ["DO block", "runs procedural code tidemark does not see"],
  CallStmt: ["CALL", "runs a procedure, which may do anything"],
  AlterFunctionStmt: ["ALTER FUNCTION", "changes a function the old release may call"],
  AlterSystemStmt: ["ALTER SYSTEM", "changes the server's settings for every session"],
  AlterRoleSetStmt: ["ALTER ROLE … SET", "changes settings of the old release's sessions"],
  AlterDatabaseSetStmt: ["ALTER DATABASE … SET", "changes settings of the old release's sessions"],
};

export const CONTRACTIVE_TAGS: Readonly<Record<string, string>> = {
  DropRoleStmt: "DROP ROLE",
  DropOwnedStmt: "DROP OWNED",
  DropdbStmt: "DROP DATABASE",
  DropTableSpaceStmt: "DROP TABLESPACE",
  DropUserMappingStmt: "DROP USER MAPPING",
  DropSubscriptionStmt: "DROP SUBSCRIPTION",
};
