import { describe, expect, it } from "vitest";
import { parseDatabaseUrl } from "../../../src/config/database-url.js";
import { importDriver, queryError, sanitizeError } from "../../../src/dialects/driver-support.js";
import { DatabaseError, DriverMissingError } from "../../../src/errors.js";

describe("importDriver", () => {
  it("turns a missing package into a DriverMissingError naming the install command", async () => {
    const error = await importDriver("tidemark-no-such-driver-pkg", "pg", "A postgres: URL").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverMissingError);
    expect((error as DriverMissingError).message).toBe(
      'A postgres: URL needs the "pg" package, which is not installed. Run: npm install pg',
    );
    expect((error as DriverMissingError).exitCode).toBe(2);
    expect((error as DriverMissingError).fields).toEqual({ package: "pg" });
  });

  it("loads an installed package", async () => {
    const mod = await importDriver<{ default: { Client: unknown } }>("pg", "pg", "A postgres: URL");
    expect(typeof mod.default.Client).toBe("function");
  });
});

describe("sanitizeError / queryError", () => {
  const url = parseDatabaseUrl("postgres://app:Tr0ub4dor%26x@db:5432/app");

  it("copies message, stack and codes without any spelling of the password", () => {
    const original = Object.assign(new Error("login for Tr0ub4dor&x failed at postgres://app:Tr0ub4dor%26x@db:5432/app"), {
      code: "28P01",
      client: { password: "Tr0ub4dor&x" },
    });
    const clean = sanitizeError(original, url);
    expect(clean.message).toBe("login for *** failed at postgres://app:***@db:5432/app");
    expect(clean.stack).not.toContain("Tr0ub4dor");
    expect((clean as unknown as { code: string }).code).toBe("28P01");
    expect(JSON.stringify(clean)).not.toContain("Tr0ub4dor");
    expect("client" in clean).toBe(false);
  });

  it("wraps a failed statement as a DatabaseError carrying the SQL and code", () => {
    const error = queryError(Object.assign(new Error("boom"), { code: "42601" }), url, "SELEC 1");
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toBe("boom");
    expect(error.fields).toEqual({ code: "42601", sql: "SELEC 1" });
    expect(error.cause).toBeInstanceOf(Error);
  });
});
