import { spawn } from "node:child_process";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { followAuditLog } from "../../src/audit/follow.js";
import { createJsonlSink } from "../../src/audit/jsonl-sink.js";
import type { AuditRecord } from "../../src/model/audit-record.js";
import { ROOT, tempDir } from "../helpers.js";
import { record } from "./audit-sink.contract.js";
import { cli } from "../cli/run-cli.js";

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

describe("followAuditLog", () => {
  it("delivers the records a live sink appends, across a rotation, and stops when aborted", async () => {
    const path = join(tempDir(), "audit.jsonl");
    const sink = createJsonlSink({ path, maxBytes: 4096 });
    sink.write(record(1));
    await sink.flush();
    const seen: AuditRecord[] = [];
    const controller = new AbortController();
    const { size } = await import("node:fs/promises").then((fs) => fs.stat(path));
    const following = followAuditLog(path, { from: size, signal: controller.signal, intervalMs: 10, onRecord: (entry) => seen.push(entry) });
    for (let n = 2; n <= 40; n++) {
      sink.write(record(n));
      await sink.flush();
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    await until(() => seen.length >= 39, "39 records");
    controller.abort();
    await following;
    await sink.close();
    // record 1 was there before following started; every later one arrives once, in order, rotations included
    expect(seen.map((entry) => Number(entry.decisionId.slice(-12)))).toEqual(Array.from({ length: 39 }, (_, i) => i + 2));
  });

  it("waits for the newline of a record written in two pieces", async () => {
    const path = join(tempDir(), "audit.jsonl");
    appendFileSync(path, "");
    const seen: AuditRecord[] = [];
    const controller = new AbortController();
    const following = followAuditLog(path, { from: 0, signal: controller.signal, intervalMs: 5, onRecord: (entry) => seen.push(entry) });
    const line = `${JSON.stringify(record(7))}\n`;
    appendFileSync(path, line.slice(0, 40));
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(seen).toHaveLength(0);
    appendFileSync(path, line.slice(40));
    await until(() => seen.length === 1, "the completed record");
    controller.abort();
    await following;
    expect(seen[0]).toEqual(record(7));
  });
});

describe("purpose-guard audit tail", () => {
  it("prints the last records that match", async () => {
    const path = join(tempDir(), "audit.jsonl");
    const sink = createJsonlSink({ path });
    for (let n = 1; n <= 12; n++) sink.write(record(n));
    await sink.close();
    const run = await cli(["audit", "tail", "-n", "2", "--verdict", "deny", path]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split("\n")).toHaveLength(2);
    expect(run.stdout).toMatch(/^2026-12-01T00:00:09\.000Z call\s+deny/);
  });

  it("follows the log with -f in a real process until interrupted", async () => {
    const path = join(tempDir(), "audit.jsonl");
    const sink = createJsonlSink({ path });
    sink.write(record(1));
    await sink.flush();
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "adapters/cli/main.ts"), "audit", "tail", "-f", "--json", path], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await until(() => stdout.includes(record(1).decisionId), `the existing record (stderr: ${stderr})`);
      sink.write(record(2));
      sink.write(record(3));
      await sink.flush();
      await until(() => stdout.includes(record(3).decisionId), "the appended records");
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).toBe(0);
    await sink.close();
    expect(stdout.trim().split("\n").map((line) => (JSON.parse(line) as AuditRecord).decisionId)).toEqual([1, 2, 3].map((n) => record(n).decisionId));
  }, 60_000);
});
