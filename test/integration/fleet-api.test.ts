/**
 * The library API of fleets: `tidemark.fleet(name).upgrade()` with typed
 * per-target reports and per-target events, `--concurrency` as a bound on
 * the targets in flight, `targets()` without passwords, and an unknown
 * fleet refused at once.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Tidemark } from "../../src/api/tidemark.js";
import type { FleetEvent } from "../../src/api/fleet-types.js";
import { testDialects } from "../helpers/databases.js";
import { makeTestFleet } from "../helpers/fleet-targets.js";
import { makeProject, numberedSql, removeProjects } from "../helpers/project.js";

const dialects = await testDialects();
afterAll(removeProjects);

function project(): string {
  const dir = makeProject({
    "migrations/001_one.sql": numberedSql("CREATE TABLE t1 (id INTEGER);", "DROP TABLE t1;"),
    "migrations/002_two.sql": numberedSql("CREATE TABLE t2 (id INTEGER);", "DROP TABLE t2;"),
  });
  mkdirSync(join(dir, "db"));
  return dir;
}

/** The most targets between their start and end events at any moment. */
function mostInFlight(events: readonly FleetEvent[]): number {
  const running = new Set<string>();
  let most = 0;
  for (const event of events) {
    if (event.type === "target-start") running.add(event.target);
    if (event.type === "target-end") running.delete(event.target);
    most = Math.max(most, running.size);
  }
  return most;
}

describe("tidemark.fleet(name)", () => {
  it("upgrades every target and reports, per target, its events and its result", async () => {
    const dir = project();
    const urls = ["a", "b", "c", "d", "e", "f"].map((name) => `sqlite:db/${name}.db`);
    const tidemark = await Tidemark.open({ cwd: dir, config: { fleets: { six: { urls } } } });
    try {
      const fleet = tidemark.fleet("six");
      expect((await fleet.targets()).map((t) => t.name)).toEqual(urls);
      const events: FleetEvent[] = [];
      fleet.on((event) => events.push(event));
      const report = await fleet.upgrade("head", { concurrency: 2 });
      expect(report.ok).toBe(true);
      expect(report.targets.map((t) => [t.name, t.status, t.steps, t.result?.repositories[0]?.after])).toEqual(
        urls.map((url) => [url, "succeeded", 2, [{ phase: "", version: "2" }]]),
      );
      expect(mostInFlight(events)).toBe(2);
      const steps = events.flatMap((e) =>
        e.type === "target-event" && e.event.type === "step" && e.event.status === "done" ? [e.target] : [],
      );
      expect(steps).toHaveLength(12);
      expect(new Set(steps)).toEqual(new Set(urls));

      const serial: FleetEvent[] = [];
      const off = fleet.on((event) => serial.push(event));
      const again = await fleet.downgrade("base", { concurrency: 1 });
      off();
      expect(again.targets.map((t) => t.steps)).toEqual([2, 2, 2, 2, 2, 2]);
      expect(mostInFlight(serial)).toBe(1);
    } finally {
      await tidemark.close();
    }
  });

  it("refuses an unknown fleet with the configured names", async () => {
    const tidemark = await Tidemark.open({ cwd: project(), config: { fleets: { one: { urls: ["sqlite:db/a.db"] } } } });
    try {
      expect(() => tidemark.fleet("two")).toThrow('Unknown fleet "two". Configured fleets: one.');
    } finally {
      await tidemark.close();
    }
  });

  it.runIf(dialects.includes("postgres"))("keeps at most --concurrency PostgreSQL databases in flight", async () => {
    const databases = await makeTestFleet("postgres", 6, undefined);
    const tidemark = await Tidemark.open({ cwd: project(), config: { fleets: { pg: { urls: databases.urls } } } });
    try {
      const events: FleetEvent[] = [];
      const fleet = tidemark.fleet("pg");
      fleet.on((event) => events.push(event));
      const report = await fleet.upgrade("head", { concurrency: 4 });
      expect(report.targets.map((t) => t.status)).toEqual(Array(6).fill("succeeded"));
      expect(mostInFlight(events)).toBe(4);
    } finally {
      await tidemark.close();
      await databases.drop();
    }
  });
});
