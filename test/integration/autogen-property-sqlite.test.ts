/** The autogenerate property on sqlite (test/helpers/autogen-property.ts says what it proves and how to reproduce a failure). */
import { expect, it } from "vitest";
import { testDialects } from "../helpers/databases.js";
import { runProperty, settings } from "../helpers/autogen-property.js";

const run = (await testDialects()).includes("sqlite");

it.runIf(run)(
  "sqlite: autogenerate, upgrade, compare, downgrade over seeded schema pairs",
  async () => {
    const { pairs, chain } = settings();
    const ran = await runProperty("sqlite");
    if (chain === undefined) expect(ran).toBe(pairs);
  },
  900_000,
);
