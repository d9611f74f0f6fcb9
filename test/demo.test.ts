import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";

describe("npm run demo:core", () => {
  it("runs offline and shows the gate, allowed and denied calls, and an intact audit log", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "examples/demo.ts"], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("production/eu-west-1: ALLOW  deploy-declared-purpose");
    expect(run.stdout).toContain("DENY   egress-outside-allow");
    expect(run.stdout).toMatch(/\d+ records, chain intact/);
  });
});
