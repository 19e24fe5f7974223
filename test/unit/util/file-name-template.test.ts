import { describe, expect, it } from "vitest";
import {
  DATED_FILE_TEMPLATE,
  fileTemplateProblem,
  PLAIN_FILE_TEMPLATE,
  renderFileName,
} from "../../../src/util/file-name-template.js";

describe("revision file name templates", () => {
  const now = new Date(Date.UTC(2026, 0, 7, 9, 5, 3));
  const values = { id: "1a2b3c4d5e6f", slug: "add_users", now };

  it("renders every placeholder in UTC, zero-padded", () => {
    expect(renderFileName(DATED_FILE_TEMPLATE, values)).toBe("20260107_0905_1a2b3c4d5e6f_add_users");
    expect(renderFileName(PLAIN_FILE_TEMPLATE, values)).toBe("1a2b3c4d5e6f_add_users");
    expect(renderFileName("{year}-{month}-{day}T{hour}{minute}{second}_{id}", values)).toBe("2026-01-07T090503_1a2b3c4d5e6f");
  });

  it("names what is wrong with a template, and accepts good ones", () => {
    expect(fileTemplateProblem(DATED_FILE_TEMPLATE)).toBeUndefined();
    expect(fileTemplateProblem("{slug}")).toMatch(/must contain \{id\}/);
    expect(fileTemplateProblem("{id}_{rev}")).toMatch(/^unknown placeholder \{rev\}/);
    expect(fileTemplateProblem("sub/{id}")).toMatch(/no \/ or \\/);
    expect(fileTemplateProblem("{id}.sql")).toMatch(/leave out the dot/);
  });
});
