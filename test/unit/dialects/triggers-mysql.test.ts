import { describe, expect, it } from "vitest";
import { mysqlCompiler } from "../../../src/dialects/mysql/mysql-compiler.js";
import { mysqlDialect } from "../../../src/dialects/mysql/mysql-dialect.js";
import { triggerPrivilegeProblem, type TriggerPrivilegeFacts } from "../../../src/dialects/mysql/mysql-triggers.js";
import { categorizeDetailed } from "../../../src/phases/category.js";
import type { Op, SyncColumns } from "../../../src/ops/op.js";
import { renderStatement } from "../../../src/runtime/render-sql.js";
import { TidemarkError } from "../../../src/errors.js";

const sql = (op: Op): string[] => mysqlCompiler.compile(op, {}).map((s) => s.sql);

const RENAME: SyncColumns = {
  kind: "syncColumns",
  table: "users",
  name: "users_name",
  from: ["name"],
  to: ["full_name"],
  forward: { full_name: "NEW.name" },
  backward: { name: "NEW.full_name" },
};

describe("MySQL trigger ops: exact SQL", () => {
  it("syncColumns: BEFORE triggers that SET NEW, one compound statement each", () => {
    expect(sql(RENAME)).toEqual([
      "CREATE TRIGGER `tidemark_sync_users_name_ins` BEFORE INSERT ON `users` FOR EACH ROW\n" +
        "BEGIN\n" +
        "  IF NEW.`full_name` IS NULL AND NEW.`name` IS NOT NULL THEN\n" +
        "    SET NEW.`full_name` = (NEW.name);\n" +
        "  ELSEIF NEW.`name` IS NULL AND NEW.`full_name` IS NOT NULL THEN\n" +
        "    SET NEW.`name` = (NEW.full_name);\n" +
        "  END IF;\n" +
        "END",
      "CREATE TRIGGER `tidemark_sync_users_name_upd` BEFORE UPDATE ON `users` FOR EACH ROW\n" +
        "BEGIN\n" +
        "  IF NOT (NEW.`full_name` <=> OLD.`full_name`) AND NOT (NEW.`full_name` <=> (NEW.name)) THEN\n" +
        "    SET NEW.`name` = (NEW.full_name);\n" +
        "  ELSEIF NOT (NEW.`name` <=> OLD.`name`) AND NOT (NEW.`name` <=> (NEW.full_name)) THEN\n" +
        "    SET NEW.`full_name` = (NEW.name);\n" +
        "  END IF;\n" +
        "END",
    ]);
  });

  it("syncColumns with several new columns sets them in one SET", () => {
    const [insert] = sql({
      kind: "syncColumns",
      table: "people",
      name: "split",
      from: ["name"],
      to: ["first", "last"],
      forward: { first: "SUBSTRING_INDEX(NEW.name, ' ', 1)", last: "x(NEW.name)" },
      backward: { name: "CONCAT(NEW.first, NEW.last)" },
    });
    expect(insert).toContain("    SET NEW.`first` = (SUBSTRING_INDEX(NEW.name, ' ', 1)), NEW.`last` = (x(NEW.name));\n");
    expect(insert).toContain("  ELSEIF NEW.`name` IS NULL AND (NEW.`first` IS NOT NULL OR NEW.`last` IS NOT NULL) THEN\n");
  });

  it("dropSync and allowWrites drop by name (MySQL trigger names belong to the database)", () => {
    expect(sql({ kind: "dropSync", table: "users", name: "users_name" })).toEqual([
      "DROP TRIGGER IF EXISTS `tidemark_sync_users_name_ins`",
      "DROP TRIGGER IF EXISTS `tidemark_sync_users_name_upd`",
    ]);
    expect(sql({ kind: "allowWrites", table: "orders" })).toEqual([
      "DROP TRIGGER IF EXISTS `tidemark_forbid_orders_ins`",
      "DROP TRIGGER IF EXISTS `tidemark_forbid_orders_upd`",
      "DROP TRIGGER IF EXISTS `tidemark_forbid_orders_del`",
    ]);
  });

  it("forbidWrites: SIGNAL SQLSTATE '45000' with the message", () => {
    const trigger = (name: string, event: string, message: string): string =>
      `CREATE TRIGGER \`${name}\` BEFORE ${event} ON \`orders\` FOR EACH ROW\nBEGIN\n` +
      `  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = ${message};\nEND`;
    const standard = "'writes to orders are forbidden during a rolling upgrade (tidemark)'";
    expect(sql({ kind: "forbidWrites", table: "orders" })).toEqual([
      trigger("tidemark_forbid_orders_ins", "INSERT", standard),
      trigger("tidemark_forbid_orders_upd", "UPDATE", standard),
      trigger("tidemark_forbid_orders_del", "DELETE", standard),
    ]);
    expect(sql({ kind: "forbidWrites", table: "orders", message: "it's \\ frozen" })[2]).toBe(
      // A backslash is spelled in hex, so the trigger means the same whatever the sql_mode it is created in.
      trigger("tidemark_forbid_orders_del", "DELETE", "_utf8mb4 X'69742773205c2066726f7a656e'"),
    );
  });

  it("refuses a message longer than SIGNAL's 128 characters; the default always fits", () => {
    expect(() => sql({ kind: "forbidWrites", table: "orders", message: "m".repeat(129) })).toThrow(
      'MySQL: forbidWrites on table "orders" has a message of 129 characters; MySQL\'s SIGNAL allows at most 128',
    );
    expect(sql({ kind: "forbidWrites", table: "orders", message: "m".repeat(128) })).toHaveLength(3);
    expect(sql({ kind: "forbidWrites", table: "t".repeat(64) })).toHaveLength(3);
  });

  it("offline rendering wraps each trigger in DELIMITER for the mysql client", () => {
    const [statement] = mysqlCompiler.compile({ kind: "forbidWrites", table: "orders" }, {});
    expect(renderStatement(mysqlDialect, statement!)).toBe(
      "DELIMITER //\nCREATE TRIGGER `tidemark_forbid_orders_ins` BEFORE INSERT ON `orders` FOR EACH ROW\nBEGIN\n" +
        "  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'writes to orders are forbidden during a rolling upgrade (tidemark)';\n" +
        "END\n//\nDELIMITER ;",
    );
    const [drop] = mysqlCompiler.compile({ kind: "allowWrites", table: "orders" }, {});
    expect(renderStatement(mysqlDialect, drop!)).toBe("DROP TRIGGER IF EXISTS `tidemark_forbid_orders_ins`;");
  });

  it("creates exactly the triggers the phase audit expects", () => {
    for (const op of [RENAME, { kind: "forbidWrites", table: "orders" }] as const) {
      const created = sql(op).map((text) => /^CREATE TRIGGER `([^`]+)`/.exec(text)?.[1]);
      const audit = categorizeDetailed(op, "mysql")
        .flatMap((c) => c.triggers?.created ?? [])
        .map((t) => t.name);
      expect(created).toEqual(audit);
    }
  });
});

describe("MySQL trigger privileges (triggerPrivilegeProblem)", () => {
  const base: TriggerPrivilegeFacts = {
    logBin: false,
    trustFunctionCreators: false,
    account: "app@%",
    database: "shop_db",
    grants: [
      "GRANT USAGE ON *.* TO `app`@`%`",
      "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, TRIGGER ON `shop\\_db`.* TO `app`@`%`",
    ],
  };

  it("accepts TRIGGER on the database (escaped LIKE pattern), on a wildcard pattern, or ALL globally", () => {
    expect(triggerPrivilegeProblem(base)).toBeUndefined();
    expect(triggerPrivilegeProblem({ ...base, grants: ["GRANT TRIGGER ON `shop%`.* TO `app`@`%`"] })).toBeUndefined();
    expect(
      triggerPrivilegeProblem({ ...base, grants: ["GRANT ALL PRIVILEGES ON *.* TO `app`@`%` WITH GRANT OPTION"] }),
    ).toBeUndefined();
  });

  it("refuses when TRIGGER is missing or granted on another database, naming the GRANT to run", () => {
    for (const grants of [
      ["GRANT USAGE ON *.* TO `app`@`%`", "GRANT SELECT, INSERT ON `shop_db`.* TO `app`@`%`"],
      ["GRANT TRIGGER ON `other`.* TO `app`@`%`"],
      ["GRANT SELECT (`trigger`) ON `shop_db`.`t` TO `app`@`%`"],
      ["GRANT TRIGGER ON `shopXdb`.* TO `app`@`%`", "GRANT TRIGGER ON `shop\\_dbs`.* TO `app`@`%`"],
    ]) {
      const problem = triggerPrivilegeProblem({ ...base, grants });
      expect(problem).toBeInstanceOf(TidemarkError);
      expect(problem?.code).toBe("trigger-privilege");
      expect(problem?.exitCode).toBe(1);
      expect(problem?.message).toBe(
        "MySQL/MariaDB: 'app'@'%' has no TRIGGER privilege on database `shop_db`, which the rolling-upgrade triggers " +
          "(syncColumns, forbidWrites) need. Run `GRANT TRIGGER ON `shop_db`.* TO 'app'@'%'` as an administrator, then run the step again.",
      );
    }
  });

  it("with binary logging on, needs log_bin_trust_function_creators or SUPER", () => {
    const problem = triggerPrivilegeProblem({ ...base, logBin: true });
    expect(problem?.code).toBe("trigger-privilege");
    expect(problem?.message).toContain("binary logging is on (@@log_bin = 1) and @@log_bin_trust_function_creators = 0");
    expect(problem?.message).toContain("SET GLOBAL log_bin_trust_function_creators = 1");
    expect(problem?.message).toContain("or grant SUPER to 'app'@'%'");
    expect(problem?.fields).toMatchObject({ account: "app@%", database: "shop_db", logBin: true, trustFunctionCreators: false });
    expect(triggerPrivilegeProblem({ ...base, logBin: true, trustFunctionCreators: true })).toBeUndefined();
    expect(
      triggerPrivilegeProblem({ ...base, logBin: true, grants: [...base.grants, "GRANT SUPER ON *.* TO `app`@`%`"] }),
    ).toBeUndefined();
  });

  it("gives the benefit of the doubt to privileges that come through roles", () => {
    expect(
      triggerPrivilegeProblem({
        ...base,
        logBin: true,
        grants: ["GRANT USAGE ON *.* TO `app`@`%`", "GRANT `migrator` TO `app`@`%`"],
      }),
    ).toBeUndefined();
  });
});
