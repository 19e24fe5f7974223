import { describe, expect, it } from "vitest";
import { guardStatements } from "../../../src/phases/guard.js";
import { classifySql, loadSqlClassifier, sqlClassifierReady } from "../../../src/phases/sql-classifier.js";

describe("the PostgreSQL parser loads lazily", () => {
  it("is not loaded by importing the guard, and SQLite/MySQL never need it", () => {
    expect(sqlClassifierReady("postgres")).toBe(false);
    expect(sqlClassifierReady("sqlite")).toBe(true);
    expect(classifySql("DROP TABLE t", "sqlite").map((c) => c.category)).toEqual(["contractive"]);
    expect(() =>
      guardStatements([{ sql: "SELECT 1", line: 1 }], "expand", { dialect: "postgres", file: "f.sql", revision: "1" }),
    ).toThrow('the PostgreSQL parser is not loaded: await loadSqlClassifier("postgres") before classifying');
  });

  it("works once loaded; loading twice is harmless", async () => {
    await Promise.all([loadSqlClassifier("postgres"), loadSqlClassifier("postgres")]);
    await loadSqlClassifier("postgres");
    expect(sqlClassifierReady("postgres")).toBe(true);
    expect(classifySql("DROP TABLE t", "postgres").map((c) => c.category)).toEqual(["contractive"]);
  });
});
