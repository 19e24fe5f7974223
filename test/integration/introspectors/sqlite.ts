/** SQLite's side of the introspector suite: the schema it reads and what it must report. */
import { expect, it } from "vitest";
import { sqliteDialect } from "../../../src/dialects/sqlite/sqlite-dialect.js";
import type { IntrospectorCase } from "./case.js";

const SCHEMA = `
CREATE TABLE "Users ""x""" (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  "e-mail" VARCHAR(255) NOT NULL DEFAULT 'a@b',
  age INT CONSTRAINT ck_age_positive CHECK (age > 0) CHECK (age <> 13),
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, -- a comment, with a comma
  nick TEXT UNIQUE,
  CONSTRAINT "uq e-mail" UNIQUE ("e-mail"),
  UNIQUE (age, created_at),
  CONSTRAINT ck_named CHECK (length("e-mail") > 3),
  CHECK (age < 200)
);
CREATE TABLE other (a TEXT, b TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID;
CREATE TABLE posts (
  id INTEGER NOT NULL,
  user_id INTEGER REFERENCES "Users ""x""" (id) ON DELETE CASCADE,
  "group" TEXT,
  body text DEFAULT ('x' || 'y'),
  CONSTRAINT fk_named FOREIGN KEY ("group", body) REFERENCES other (a, b) ON UPDATE SET NULL ON DELETE SET DEFAULT,
  FOREIGN KEY (body, "group") REFERENCES other,
  PRIMARY KEY (id, "group")
);
CREATE TABLE plain (id integer primary key, n numeric(10, 2));
CREATE INDEX "ix posts body" ON posts (body, "group");
CREATE UNIQUE INDEX ix_lower ON posts (lower(body), id) WHERE body IS NOT NULL;
CREATE VIEW "v posts" AS SELECT id, body FROM posts;
CREATE TRIGGER trg_posts AFTER INSERT ON posts BEGIN SELECT 1; END;
CREATE TABLE tidemark_version (x);
CREATE TABLE tidemark_log (x);
CREATE TRIGGER trg_log AFTER INSERT ON tidemark_log BEGIN SELECT 1; END;
`;

export const sqliteCase: IntrospectorCase = {
  introspector: sqliteDialect.introspector,
  schema: [SCHEMA],
  // SQLite's own tables are left out too.
  tables: ['Users "x"', "other", "plain", "posts"],
  users: {
    name: 'Users "x"',
    columns: [
      { name: "id", type: "integer", nullable: false, default: null, autoIncrement: true },
      { name: "e-mail", type: "varchar(255)", nullable: false, default: "'a@b'", autoIncrement: false },
      { name: "age", type: "int", nullable: true, default: null, autoIncrement: false },
      { name: "created_at", type: "timestamp", nullable: true, default: "CURRENT_TIMESTAMP", autoIncrement: false },
      { name: "nick", type: "text", nullable: true, default: null, autoIncrement: false },
    ],
    primaryKey: ["id"],
    indexes: [],
    // Unnamed constraints are named "" (SQLite keeps no name), in declaration order.
    uniques: [
      { name: "", columns: ["nick"] },
      { name: "", columns: ["age", "created_at"] },
      { name: "uq e-mail", columns: ["e-mail"] },
    ],
    foreignKeys: [],
    checks: [
      { name: "", expression: "age <> 13" },
      { name: "", expression: "age < 200" },
      { name: "ck_age_positive", expression: "age > 0" },
      { name: "ck_named", expression: 'length("e-mail") > 3' },
    ],
  },
  posts: {
    name: "posts",
    columns: [
      { name: "id", type: "integer", nullable: false, default: null, autoIncrement: false },
      { name: "user_id", type: "integer", nullable: true, default: null, autoIncrement: false },
      { name: "group", type: "text", nullable: true, default: null, autoIncrement: false },
      { name: "body", type: "text", nullable: true, default: "'x' || 'y'", autoIncrement: false },
    ],
    primaryKey: ["id", "group"],
    indexes: [
      { name: "ix posts body", columns: ["body", "group"], unique: false },
      { name: "ix_lower", columns: ["lower(body)", "id"], unique: true, where: "body IS NOT NULL" },
    ],
    uniques: [],
    foreignKeys: [
      {
        name: "",
        columns: ["user_id"],
        refTable: 'Users "x"',
        refColumns: ["id"],
        onDelete: "cascade",
        onUpdate: "no action",
      },
      {
        name: "",
        columns: ["body", "group"],
        refTable: "other",
        refColumns: ["a", "b"],
        onDelete: "no action",
        onUpdate: "no action",
      },
      {
        name: "fk_named",
        columns: ["group", "body"],
        refTable: "other",
        refColumns: ["a", "b"],
        onDelete: "set default",
        onUpdate: "set null",
      },
    ],
    checks: [],
  },
  views: [{ name: "v posts", sql: "SELECT id, body FROM posts" }],
  withoutPosts: ['Users "x"', "other", "plain", "tidemark_log", "tidemark_version"],
  exists: [
    ["tidemark_version", undefined, true],
    ["POSTS", undefined, true],
    ["v posts", undefined, false],
    ["nope", undefined, false],
  ],
  only: (live) => {
    it("reports WITHOUT ROWID keys and a plain rowid alias as NOT NULL, without autoIncrement", () => {
      const { model } = live();
      expect(model.tables.find((t) => t.name === "other")?.columns).toEqual([
        { name: "a", type: "text", nullable: false, default: null, autoIncrement: false },
        { name: "b", type: "text", nullable: false, default: null, autoIncrement: false },
      ]);
      expect(model.tables.find((t) => t.name === "plain")?.columns).toEqual([
        { name: "id", type: "integer", nullable: false, default: null, autoIncrement: false },
        { name: "n", type: "numeric(10, 2)", nullable: true, default: null, autoIncrement: false },
      ]);
    });
  },
};
