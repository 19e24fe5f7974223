/** MySQL/MariaDB's side of the introspector suite: the schema it reads and what it must report. */
import { expect, it } from "vitest";
import { parseDatabaseUrl } from "../../../src/config/database-url.js";
import { mysqlDialect } from "../../../src/dialects/mysql/mysql-dialect.js";
import { DatabaseError } from "../../../src/errors.js";
import { MYSQL_ADMIN_URL, withDatabase } from "../../helpers/databases.js";
import type { IntrospectorCase } from "./case.js";

const SCHEMA = [
  `CREATE TABLE \`Users "x"\` (
    id int AUTO_INCREMENT PRIMARY KEY,
    \`e-mail\` varchar(255) NOT NULL DEFAULT 'a@b',
    age int CHECK (age > 0),
    created_at timestamp NULL DEFAULT CURRENT_TIMESTAMP,
    nick varchar(50) UNIQUE,
    \`Camel\`\`Col\` decimal(10,2) DEFAULT 1.50,
    label varchar(20) DEFAULT 'it''s',
    CONSTRAINT \`uq e-mail\` UNIQUE (\`e-mail\`),
    CONSTRAINT ck_range CHECK (age < 200)
  ) ENGINE=InnoDB`,
  "CREATE TABLE other (a varchar(50), b varchar(50), PRIMARY KEY (a, b)) ENGINE=InnoDB",
  `CREATE TABLE posts (
    id bigint NOT NULL AUTO_INCREMENT,
    user_id int,
    \`group\` varchar(50) NOT NULL,
    body varchar(50),
    note text,
    PRIMARY KEY (id, \`group\`),
    KEY \`ix posts body\` (body, \`group\`),
    KEY ix_prefix (note(10)),
    UNIQUE KEY ux_body (body, id),
    CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES \`Users "x"\` (id) ON DELETE CASCADE,
    CONSTRAINT fk_named FOREIGN KEY (\`group\`, body) REFERENCES other (a, b) ON UPDATE CASCADE ON DELETE RESTRICT
  ) ENGINE=InnoDB`,
  "CREATE UNIQUE INDEX ux_user_body ON posts (user_id, body)",
  "CREATE VIEW `v posts` AS SELECT id, body FROM posts",
  "CREATE TRIGGER trg_posts BEFORE INSERT ON posts FOR EACH ROW SET NEW.body = NEW.body",
  "CREATE TABLE tidemark_version (x int)",
  "CREATE TABLE tidemark_log (x int)",
  "CREATE TRIGGER trg_log BEFORE INSERT ON tidemark_log FOR EACH ROW SET NEW.x = NEW.x",
];

export const mysqlCase: IntrospectorCase = {
  introspector: mysqlDialect.introspector,
  schema: SCHEMA,
  // The base tables of the current database.
  tables: ['Users "x"', "other", "posts"],
  users: {
    name: 'Users "x"',
    columns: [
      { name: "id", type: "int(11)", nullable: false, default: null, autoIncrement: true },
      { name: "e-mail", type: "varchar(255)", nullable: false, default: "'a@b'", autoIncrement: false },
      { name: "age", type: "int(11)", nullable: true, default: null, autoIncrement: false },
      { name: "created_at", type: "timestamp", nullable: true, default: "current_timestamp()", autoIncrement: false },
      { name: "nick", type: "varchar(50)", nullable: true, default: null, autoIncrement: false },
      { name: "Camel`Col", type: "decimal(10,2)", nullable: true, default: "1.50", autoIncrement: false },
      { name: "label", type: "varchar(20)", nullable: true, default: "'it''s'", autoIncrement: false },
    ],
    primaryKey: ["id"],
    indexes: [],
    uniques: [
      { name: "nick", columns: ["nick"] },
      { name: "uq e-mail", columns: ["e-mail"] },
    ],
    foreignKeys: [],
    checks: [
      { name: "age", expression: "`age` > 0" },
      { name: "ck_range", expression: "`age` < 200" },
    ],
  },
  posts: {
    name: "posts",
    columns: [
      { name: "id", type: "bigint(20)", nullable: false, default: null, autoIncrement: true },
      { name: "user_id", type: "int(11)", nullable: true, default: null, autoIncrement: false },
      { name: "group", type: "varchar(50)", nullable: false, default: null, autoIncrement: false },
      { name: "body", type: "varchar(50)", nullable: true, default: null, autoIncrement: false },
      { name: "note", type: "text", nullable: true, default: null, autoIncrement: false },
    ],
    primaryKey: ["id", "group"],
    indexes: [
      { name: "fk_named", columns: ["group", "body"], unique: false },
      { name: "ix posts body", columns: ["body", "group"], unique: false },
      { name: "ix_prefix", columns: ["note(10)"], unique: false },
    ],
    uniques: [
      { name: "ux_body", columns: ["body", "id"] },
      { name: "ux_user_body", columns: ["user_id", "body"] },
    ],
    foreignKeys: [
      {
        name: "fk_named",
        columns: ["group", "body"],
        refTable: "other",
        refColumns: ["a", "b"],
        onDelete: "restrict",
        onUpdate: "cascade",
      },
      {
        name: "fk_user",
        columns: ["user_id"],
        refTable: 'Users "x"',
        refColumns: ["id"],
        onDelete: "cascade",
        // InnoDB reports an unspecified action as RESTRICT.
        onUpdate: "restrict",
      },
    ],
    checks: [],
  },
  // Without the database qualifier.
  views: [{ name: "v posts", sql: "select `posts`.`id` AS `id`,`posts`.`body` AS `body` from `posts`" }],
  withoutPosts: ['Users "x"', "other", "tidemark_log", "tidemark_version"],
  exists: [
    ["tidemark_version", undefined, true],
    ["v posts", undefined, false],
    ["nope", undefined, false],
  ],
  only: () => {
    it("refuses to introspect without a current database", async () => {
      const bare = await mysqlDialect.driver.connect(parseDatabaseUrl(withDatabase(MYSQL_ADMIN_URL, "").replace(/\/$/, "")));
      try {
        await expect(mysqlDialect.introspector.introspect(bare)).rejects.toThrow(DatabaseError);
        await expect(mysqlDialect.introspector.introspect(bare)).rejects.toThrow(
          "Cannot introspect MySQL: no database is selected",
        );
      } finally {
        await bare.close();
      }
    });
  },
};
