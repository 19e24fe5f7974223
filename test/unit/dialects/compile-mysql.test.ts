import { describe, expect, it } from "vitest";
import { mysqlCompiler as my } from "../../../src/dialects/mysql/mysql-compiler.js";
import type { TableModel } from "../../../src/dialects/schema-model.js";
import { TidemarkError } from "../../../src/errors.js";
import { sqlExpression, type AlterColumn, type Op } from "../../../src/ops/op.js";
import { OPS } from "./op-fixtures.js";

const sql = (op: Op, table?: TableModel): string[] => my.compile(op, table === undefined ? {} : { table }).map((s) => s.sql);

describe("MySQL compiler: exact SQL per op", () => {
  const table: [keyof typeof OPS, string[]][] = [
    [
      "createUsers",
      [
        "CREATE TABLE `users` (\n" +
          "  `id` int NOT NULL AUTO_INCREMENT PRIMARY KEY,\n" +
          "  `email` varchar(255) NOT NULL UNIQUE,\n" +
          "  `created_at` datetime(6) DEFAULT CURRENT_TIMESTAMP(6),\n" +
          "  `active` tinyint(1) NOT NULL DEFAULT 1,\n" +
          "  `note` longtext DEFAULT ('it''s')\n" +
          ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
      ],
    ],
    [
      "createComposite",
      [
        "CREATE TABLE IF NOT EXISTS `memberships` (\n" +
          "  `user_id` int NOT NULL,\n" +
          "  `org_id` bigint NOT NULL,\n" +
          "  `role` varchar(20) DEFAULT 'member',\n" +
          "  PRIMARY KEY (`user_id`, `org_id`),\n" +
          "  CONSTRAINT `uq_role` UNIQUE (`org_id`, `role`),\n" +
          "  FOREIGN KEY (`org_id`) REFERENCES `orgs` (`id`) ON DELETE CASCADE,\n" +
          "  CONSTRAINT `fk_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON UPDATE CASCADE,\n" +
          "  CONSTRAINT `ck_role` CHECK (role <> '')\n" +
          ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
      ],
    ],
    ["dropTable", ["DROP TABLE `users`"]],
    ["dropTableIfExists", ["DROP TABLE IF EXISTS `users`"]],
    ["renameTable", ["ALTER TABLE `users` RENAME TO `people`"]],
    ["addColumn", ["ALTER TABLE `users` ADD COLUMN `nickname` varchar(40) NOT NULL DEFAULT ''"]],
    ["addColumnRef", ["ALTER TABLE `posts` ADD COLUMN `user_id` int, ADD FOREIGN KEY (`user_id`) REFERENCES `users` (`id`)"]],
    ["dropColumn", ["ALTER TABLE `users` DROP COLUMN `nickname`"]],
    ["renameColumn", ["ALTER TABLE `users` RENAME COLUMN `nickname` TO `handle`"]],
    ["createIndex", ["CREATE INDEX `ix_users_email` ON `users` (`email`, `created_at`)"]],
    ["createUniqueIndex", ["CREATE UNIQUE INDEX IF NOT EXISTS `ix_u` ON `users` (`email`)"]],
    ["createIndexConcurrently", ["CREATE INDEX `ix_c` ON `users` (`email`) ALGORITHM=INPLACE LOCK=NONE"]],
    ["dropIndex", ["DROP INDEX `ix_users_email` ON `users`"]],
    ["dropIndexConcurrently", ["DROP INDEX IF EXISTS `ix_c` ON `users`"]],
    [
      "addForeignKey",
      ["ALTER TABLE `posts` ADD CONSTRAINT `fk_posts_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE"],
    ],
    ["addUnique", ["ALTER TABLE `users` ADD CONSTRAINT `uq_email` UNIQUE (`email`)"]],
    ["addCheck", ["ALTER TABLE `users` ADD CONSTRAINT `ck_email` CHECK (email LIKE '%@%')"]],
    ["dropConstraint", ["ALTER TABLE `users` DROP CONSTRAINT `uq_email`"]],
    ["createView", ["CREATE VIEW `active_users` AS SELECT id, email FROM users WHERE active = 1"]],
    ["createOrReplaceView", ["CREATE OR REPLACE VIEW `active_users` AS SELECT id FROM users"]],
    ["dropView", ["DROP VIEW IF EXISTS `active_users`"]],
    ["executePlain", ["DELETE FROM users"]],
    ["bulkInsert", ["INSERT INTO `users` (`email`, `note`) VALUES (?, ?), (?, ?)", "INSERT INTO `users` (`email`) VALUES (?)"]],
  ];
  it.each(table)("%s", (name, expected) => {
    expect(sql(OPS[name])).toEqual(expected);
  });

  it("drops each constraint type with its own syntax", () => {
    const drop = (type?: "foreignKey" | "unique" | "check" | "primaryKey"): string[] =>
      sql({ kind: "dropConstraint", table: "t", name: "c", ...(type === undefined ? {} : { type }) });
    expect(drop("foreignKey")).toEqual(["ALTER TABLE `t` DROP FOREIGN KEY `c`"]);
    expect(drop("unique")).toEqual(["ALTER TABLE `t` DROP INDEX `c`"]);
    expect(drop("check")).toEqual(["ALTER TABLE `t` DROP CONSTRAINT `c`"]);
    expect(drop("primaryKey")).toEqual(["ALTER TABLE `t` DROP PRIMARY KEY"]);
    expect(drop()).toEqual(["ALTER TABLE `t` DROP CONSTRAINT `c`"]);
  });

  it("refuses partial indexes", () => {
    expect(() => sql(OPS.createPartialIndex)).toThrow(TidemarkError);
    expect(() => sql(OPS.createPartialIndex)).toThrow(
      'MySQL cannot compile createIndex "ix_active" on table "users": MySQL has no partial indexes (WHERE)',
    );
  });

  it("writes an empty row as () VALUES ()", () => {
    expect(sql({ kind: "bulkInsert", table: "t", rows: [{}] })).toEqual(["INSERT INTO `t` () VALUES ()"]);
  });
});

describe("MySQL compiler: alterColumn", () => {
  const users: TableModel = {
    name: "users",
    columns: [
      { name: "id", type: "int(11)", nullable: false, default: null, autoIncrement: true },
      { name: "age", type: "int(11)", nullable: true, default: "18", autoIncrement: false },
      { name: "note", type: "varchar(20)", nullable: true, default: "NULL", autoIncrement: false },
      { name: "seen", type: "datetime(6)", nullable: false, default: "current_timestamp(6)", autoIncrement: false },
    ],
    primaryKey: ["id"],
    indexes: [],
    uniques: [],
    foreignKeys: [],
    checks: [],
  };
  const alter = (column: string, fields: Partial<AlterColumn>): AlterColumn => ({
    kind: "alterColumn",
    table: "users",
    column,
    ...fields,
  });

  it("changes only the default without the table model", () => {
    expect(my.needsTableModel(alter("age", { default: 5 }))).toBe(false);
    expect(sql(alter("age", { default: 5 }))).toEqual(["ALTER TABLE `users` ALTER COLUMN `age` SET DEFAULT 5"]);
    expect(sql(alter("age", { default: null }))).toEqual(["ALTER TABLE `users` ALTER COLUMN `age` DROP DEFAULT"]);
    expect(sql(alter("age", { default: sqlExpression("1 + 1") }))).toEqual([
      "ALTER TABLE `users` ALTER COLUMN `age` SET DEFAULT (1 + 1)",
    ]);
  });

  it.each<[string, string, Partial<AlterColumn>, string]>([
    ["type keeps nullability and default", "age", { type: "bigint" }, "`age` bigint DEFAULT 18"],
    ["not null keeps type and default", "age", { nullable: false }, "`age` int(11) NOT NULL DEFAULT 18"],
    ["new default replaces the old", "age", { nullable: false, default: 21 }, "`age` int(11) NOT NULL DEFAULT 21"],
    ["default null drops it", "age", { type: "integer", default: null }, "`age` int"],
    ["MariaDB's NULL default text is no default", "note", { type: "text" }, "`note` longtext"],
    ["auto-increment stays", "id", { type: "bigint" }, "`id` bigint NOT NULL AUTO_INCREMENT"],
    ["temporal default stays", "seen", { nullable: true }, "`seen` datetime(6) DEFAULT CURRENT_TIMESTAMP(6)"],
  ])("MODIFY: %s", (_what, column, fields, definition) => {
    const op = alter(column, fields);
    expect(my.needsTableModel(op)).toBe(true);
    expect(sql(op, users)).toEqual([`ALTER TABLE \`users\` MODIFY COLUMN ${definition}`]);
  });

  it("needs the table model for MODIFY and says which table", () => {
    expect(() => sql(alter("age", { nullable: false }))).toThrow(
      /MySQL cannot compile alterColumn on table "users" without the current shape of table "users" \(MODIFY COLUMN must restate/,
    );
    expect(() => sql(alter("nope", { nullable: false }), users)).toThrow(
      'MySQL: alterColumn on table "users" names column "nope", which table "users" does not have',
    );
  });

  it("refuses USING, which MySQL does not have", () => {
    expect(() => sql(alter("age", { type: "integer", using: "age * 2" }), users)).toThrow(/MySQL has no USING clause/);
  });
});
