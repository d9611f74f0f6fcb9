import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createJsonlSink } from "../../src/audit/jsonl-sink.js";
import { record } from "../audit/audit-sink.contract.js";
import { tempDir } from "../helpers.js";
import { cli } from "./run-cli.js";

async function log(count: number, maxBytes?: number): Promise<string> {
  const path = join(tempDir(), "audit.jsonl");
  const sink = createJsonlSink({ path, ...(maxBytes ? { maxBytes } : {}) });
  for (let n = 1; n <= count; n++) sink.write(record(n));
  await sink.close();
  return path;
}

describe("purpose-guard audit verify", () => {
  it("exits 0 for an intact log, including its rotated files", async () => {
    const path = await log(30, 2048);
    const run = await cli(["audit", "verify", path]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^OK {2}30 records in \d+ files, chain intact/);
  });

  it("exits 1 and locates the first tampered record", async () => {
    const path = await log(5);
    const lines = readFileSync(path, "utf8").split("\n");
    lines.splice(1, 1);
    writeFileSync(path, lines.join("\n"));
    const run = await cli(["audit", "verify", path]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`TAMPERED  removed at ${path}:2 (record 3): record 2 is missing before record 3`);
  });

  it("exits 1 when records were removed from the start or the end of a keyed log, or it was emptied", async () => {
    const env = { AUDIT_KEY: "k-0123456789abcdef" };
    const path = join(tempDir(), "audit.jsonl");
    const sink = createJsonlSink({ path, key: env.AUDIT_KEY });
    for (let n = 1; n <= 5; n++) sink.write(record(n));
    await sink.close();
    const whole = readFileSync(path, "utf8").split("\n").filter(Boolean);
    const verify = (lines: string[]) => {
      writeFileSync(path, lines.map((line) => `${line}\n`).join(""));
      return cli(["audit", "verify", "--key-env", "AUDIT_KEY", path], { env });
    };
    expect((await verify(whole)).stdout).toMatch(/^OK {2}5 records in 1 file, chain intact; head 5 [0-9a-f]{64}; reaches the head in audit\.jsonl\.head\n$/);
    const cases: [string[], RegExp][] = [
      [whole.slice(2), /^TAMPERED {2}removed at .*:1 \(record 3\): records 1\.\.2 are missing before record 3/],
      [whole.slice(0, -1), /^TAMPERED {2}removed at .*:5: record 5 is missing at the end: the chain ends at record 4, but audit\.jsonl\.head says it reached record 5/],
      [whole.slice(4), /^TAMPERED {2}removed at .*:1 \(record 5\): records 1\.\.4 are missing before record 5/],
      [[], /^TAMPERED {2}removed at .*: records 1\.\.5 are missing at the end/],
    ];
    for (const [lines, expected] of cases) {
      const run = await verify(lines);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(expected);
    }
  });

  it("checks a head kept elsewhere with --expect-head, and a pruned log with --only", async () => {
    const path = await log(5);
    const head = JSON.parse(readFileSync(`${path}.head`, "utf8")) as { seq: number; hash: string };
    rmSync(`${path}.head`);
    const lines = readFileSync(path, "utf8").split("\n").filter(Boolean);
    writeFileSync(path, lines.slice(0, -1).map((line) => `${line}\n`).join(""));
    expect((await cli(["audit", "verify", path])).code).toBe(0);
    const run = await cli(["audit", "verify", "--expect-head", `${head.seq}:${head.hash}`, path]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("record 5 is missing at the end: the chain ends at record 4, but --expect-head says it reached record 5");
    writeFileSync(path, lines.slice(2).map((line) => `${line}\n`).join(""));
    const pruned = await cli(["audit", "verify", "--only", "--expect-head", `${head.seq}:${head.hash}`, path]);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toContain("(starts at record 3: earlier records were not verified)");
    expect((await cli(["audit", "verify", "--expect-head", "5", path])).code).toBe(2);
  });

  // Removing the last records together with the head file left a shorter chain that verified without a word.
  it("warns that removals from the end cannot be noticed when there is no head to reach", async () => {
    const path = await log(3);
    expect((await cli(["audit", "verify", path])).stdout).not.toContain("WARN");
    rmSync(`${path}.head`);
    const run = await cli(["audit", "verify", path]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\nWARN .*audit\.jsonl\.head is missing and no --expect-head was given/);
  });

  it("exits 2 without a file, and explains its subcommands", async () => {
    expect((await cli(["audit", "verify"])).code).toBe(2);
    expect((await cli(["audit"])).stderr).toContain("Subcommands:");
  });
});
