/** The `lint` section of the config: rule ids or names, severities everywhere or per body, nothing unknown. */
import { describe, expect, it } from "vitest";
import { mergeLintRules, validateLintConfig } from "../../../src/config/lint-settings.js";
import { ConfigError } from "../../../src/errors.js";

const FILE = "/p/tidemark.config.json";

describe("validateLintConfig", () => {
  it("keys rules by id, whether written as id or name, in any case", () => {
    expect(
      validateLintConfig(
        { rules: { tm101: "warning", "volatile-default": { expand: "off", contract: "error" }, TM502: "error" } },
        FILE,
      ),
    ).toEqual({ TM101: "warning", TM201: { expand: "off", contract: "error" }, TM502: "error" });
    expect(validateLintConfig(undefined, FILE)).toBeUndefined();
    expect(validateLintConfig({}, FILE)).toEqual({});
  });

  it.each([
    [{ rules: { TM999: "error" } }, '"lint.rules.TM999" names no lint rule'],
    [{ rules: { "no-such-rule": "error" } }, '"lint.rules.no-such-rule" names no lint rule'],
    [{ rules: { TM101: "fatal" } }, '"lint.rules.TM101" must be one of "error", "warning", "off", found "fatal"'],
    [
      { rules: { TM101: { deploy: "error" } } },
      '"lint.rules.TM101.deploy" is not a body; use expand, migrate, contract, upgrade',
    ],
    [{ rules: { TM101: { expand: true } } }, '"lint.rules.TM101.expand" must be one of'],
    [{ severity: {} }, '"lint.severity" is not a setting'],
    [{ rules: ["TM101"] }, '"lint.rules" must be an object'],
    ["strict", '"lint" must be an object'],
  ])("refuses %j", (value, message) => {
    expect(() => validateLintConfig(value, FILE)).toThrow(ConfigError);
    expect(() => validateLintConfig(value, FILE)).toThrow(message);
  });

  it("lets a later layer override an earlier one rule by rule", () => {
    expect(mergeLintRules({ TM101: "warning", TM103: "error" }, { TM101: "off" })).toEqual({ TM101: "off", TM103: "error" });
  });
});
