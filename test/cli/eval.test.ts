import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers.js";
import { DATA_DIR } from "../evals/data.js";
import { cli } from "./run-cli.js";

const SMALL = ["--suite", "banking", "--user-task", "user_task_0", "--user-task", "user_task_3", "--data", DATA_DIR, "-q"];

describe("purpose-guard eval agentdojo", () => {
  it("writes report.json in the contract's shape, Markdown and HTML, and prints the headline table", async () => {
    const dir = tempDir("pg-eval-");
    const run = await cli(["eval", "agentdojo", ...SMALL, "--report", dir]);
    expect(run.code).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as { suites: Record<string, Record<string, number>>; overall: Record<string, number> };
    expect(Object.keys(report)).toEqual(["suites", "overall"]);
    for (const metrics of [report.suites["banking"]!, report.overall]) {
      expect(metrics.pairs).toBe(18);
      for (const field of ["utility", "utilityUnderAttack", "attackSuccessRate", "askRate"]) {
        expect(typeof metrics[field]).toBe("number");
        expect(metrics[field]).toBeGreaterThanOrEqual(0);
        expect(metrics[field]).toBeLessThanOrEqual(1);
      }
    }
    expect(readFileSync(join(dir, "report.md"), "utf8")).toContain("## Compared with published defenses");
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain("<svg");
    expect(html).not.toMatch(/<script|https?:\/\/[^"]*\.(js|css)/);
    expect(existsSync(join(dir, "sessions.jsonl"))).toBe(true);
    expect(run.stdout).toMatch(/banking\s+18\s/);
    expect(run.stdout).toContain("without the guard (same driver): attack success 100.0%");
  });

  it("runs the no-guard baseline, in which the attacks succeed", async () => {
    const dir = tempDir("pg-eval-");
    const run = await cli(["eval", "agentdojo", ...SMALL, "--no-guard", "--report", dir]);
    expect(run.code).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as { overall: { attackSuccessRate: number } };
    expect(report.overall.attackSuccessRate).toBe(1);
  });

  it("exits 1 with --goal when the goal is missed", async () => {
    const run = await cli(["eval", "agentdojo", ...SMALL, "--no-guard", "--goal", "--report", tempDir("pg-eval-")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("goal missed: attack success 100.0% > 2.0%");
  });

  it("exits 2 and lists the suites for an unknown suite", async () => {
    const run = await cli(["eval", "agentdojo", "--suite", "casino", "--data", DATA_DIR, "--report", tempDir("pg-eval-")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("workspace, travel, banking, slack");
  });

  it("exits 2 and says how to point at the data when the folder is missing", async () => {
    const run = await cli(["eval", "agentdojo", "--data", "/nonexistent/agentdojo", "--report", tempDir("pg-eval-")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("AGENTDOJO_DATA");
  });

  it("reads the data folder from AGENTDOJO_DATA", async () => {
    const run = await cli(["eval", "agentdojo", "--suite", "banking", "--user-task", "user_task_0", "--no-guard", "-q", "--report", tempDir("pg-eval-")], { env: { AGENTDOJO_DATA: DATA_DIR } });
    expect(run.code).toBe(0);
  });
});

describe("purpose-guard eval suites", () => {
  it("runs a category and writes its reports", async () => {
    const dir = tempDir("pg-suites-");
    const run = await cli(["eval", "suites", "--category", "expired-declaration", "--category", "wrong-environment", "--report", dir, "-q"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/expired-declaration\s+4\/4\s+3\/3/);
    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as { overall: { attacks: number } };
    expect(report.overall.attacks).toBe(10);
  });

  it("exits 1 with --strict when a scenario misses its expectation", async () => {
    const run = await cli(["eval", "suites", "--category", "read-only-writes", "--strict", "--report", tempDir("pg-suites-"), "-q"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("did not meet their expectations");
  });
});

describe("purpose-guard eval", () => {
  it("names the subcommands when none is given", async () => {
    const run = await cli(["eval"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("purpose-guard eval agentdojo");
  });
});
