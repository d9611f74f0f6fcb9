import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { createJsonlSink } from "../../src/audit/jsonl-sink.js";
import { matchesAudit, parseTimeBound, queryAuditLog, withRotated } from "../../src/audit/query.js";
import type { AuditRecord } from "../../src/model/audit-record.js";
import { formatTable } from "../../adapters/cli/commands/audit-query.js";
import { cli } from "../cli/run-cli.js";
import { tempDir } from "../helpers.js";
import { record } from "./audit-sink.contract.js";
import { conversationLog } from "./audit-fixture.js";

let file: string;
let start: number;
let all: AuditRecord[];

beforeAll(async () => {
  ({ file, start } = await conversationLog());
  all = await queryAuditLog([file]);
});

describe("queryAuditLog", () => {
  it("finds the records of one conversation by its thread id, and nothing of the other", async () => {
    const conv1 = await queryAuditLog([file], { threadId: "conv-1" });
    expect(conv1.length).toBeGreaterThan(8);
    expect(conv1.every((record) => record.trace?.threadId === "conv-1" && record.sessionId === "s-1")).toBe(true);
    expect(conv1.filter((record) => record.event === "call").map((record) => `${record.tool}:${record.decision}`)).toEqual([
      "get_customer:allow", "list_orders:allow", "delete_customer:deny", "update_order:allow", "list_orders:allow", "get_customer:halt",
    ]);
    const conv2 = await queryAuditLog([file], { threadId: "conv-2" });
    expect(conv2.map((record) => record.sessionId)).toEqual(conv2.map(() => "s-2"));
    expect(conv1.length + conv2.length).toBe(all.filter((record) => record.trace).length);
  });

  it("filters by trace id (also inside traceparent), tool, verdict, policy id, event and time range", async () => {
    expect((await queryAuditLog([file], { traceId: "4bf92f3577b34da6a3ce929d0e0e4736" })).every((record) => record.trace?.threadId === "conv-1")).toBe(true);
    expect((await queryAuditLog([file], { traceId: "0af7651916cd43dd8448eb211c80319c" })).every((record) => record.trace?.threadId === "conv-2")).toBe(true);
    expect((await queryAuditLog([file], { tool: "crm/list_orders", event: ["call"] })).length).toBe(2);
    expect((await queryAuditLog([file], { tool: "send_email" })).every((record) => record.server === "mail")).toBe(true);
    expect((await queryAuditLog([file], { decision: ["deny"], event: ["call"] })).map((record) => record.tool)).toEqual(["delete_customer"]);
    const alerts = await queryAuditLog([file], { policyId: "support-records-alert" });
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.every((record) => record.policyIds.includes("support-records-alert"))).toBe(true);
    const halted = await queryAuditLog([file], { decision: ["halt"], event: ["result"] });
    expect(halted).toMatchObject([{ tool: "list_orders", policyIds: ["budget-records-read", "support-records-halt"] }]);
    const window = await queryAuditLog([file], { since: start + 4 * 60_000, until: start + 5 * 60_000 });
    expect(window.map((record) => record.sessionId)).toEqual(window.map(() => "s-2"));
  });

  it("reads rotated files first, in chain order", async () => {
    const path = join(tempDir(), "rotating.jsonl");
    const sink = createJsonlSink({ path, maxBytes: 2048 });
    for (let n = 1; n <= 30; n++) sink.write(record(n));
    await sink.close();
    const files = await withRotated(path);
    expect(files.length).toBeGreaterThan(2);
    const records = await queryAuditLog(files);
    expect(records.map((entry) => entry.decisionId.slice(-2))).toEqual(Array.from({ length: 30 }, (_, i) => String(i + 1).padStart(2, "0")));
    const run = await cli(["audit", "query", "--verdict", "deny", "--json", path]);
    expect((JSON.parse(run.stdout) as AuditRecord[]).length).toBe(10);
  });
});

describe("parseTimeBound", () => {
  it("reads ISO times and durations before now", () => {
    const now = Date.parse("2026-12-01T12:00:00Z");
    expect(parseTimeBound("2026-12-01T09:00:00Z", now)).toBe(Date.parse("2026-12-01T09:00:00Z"));
    expect(parseTimeBound("15m", now)).toBe(now - 15 * 60_000);
    expect(parseTimeBound("2d", now)).toBe(now - 2 * 86_400_000);
    expect(parseTimeBound("yesterday", now)).toBeUndefined();
  });
});

describe("matchesAudit", () => {
  it("requires every given field", () => {
    const record = all.find((candidate) => candidate.event === "call" && candidate.decision === "deny")!;
    expect(matchesAudit({ tool: "crm/delete_customer", decision: ["deny"], sessionId: "s-1" })(record)).toBe(true);
    expect(matchesAudit({ tool: "crm/delete_customer", decision: ["allow"] })(record)).toBe(false);
    expect(matchesAudit({ tool: "other/delete_customer" })(record)).toBe(false);
  });
});

describe("formatTable", () => {
  it("prints a table of more rows than one call can take as arguments", () => {
    const table = formatTable(Array.from({ length: 300_000 }, () => record(1)));
    expect(table.split("\n")).toHaveLength(300_001);
  });
});

describe("purpose-guard audit query", () => {
  it("prints a table of one conversation's records", async () => {
    const run = await cli(["audit", "query", "--thread-id", "conv-1", file]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^TIME\s+EVENT\s+VERDICT\s+TOOL\s+SESSION\s+THREAD\s+POLICIES\s+CLASSES$/);
    expect(lines.slice(1, -1).every((line) => line.includes("conv-1"))).toBe(true);
    expect(lines.at(-1)).toMatch(/^\d+ records \(thread-id conv-1\)$/);
  });

  it("prints JSON that round-trips, and JSON lines", async () => {
    const json = await cli(["audit", "query", "--session", "s-2", "--json", file]);
    const records = JSON.parse(json.stdout) as AuditRecord[];
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((record) => record.sessionId === "s-2")).toBe(true);
    const jsonl = await cli(["audit", "query", "--session", "s-2", "--jsonl", "--limit", "2", file]);
    expect(jsonl.stdout.trim().split("\n").map((line) => JSON.parse(line) as AuditRecord)).toEqual(records.slice(-2));
  });

  it("accepts repeated verdicts and ISO times, and exits 1 when nothing matches", async () => {
    expect((await cli(["audit", "query", "--thread-id", "no-such-conversation", file])).code).toBe(1);
    const iso = await cli(["audit", "query", "--since", new Date(start + 7 * 60_000).toISOString(), "--json", file]);
    expect((JSON.parse(iso.stdout) as AuditRecord[]).every((record) => record.tool === "send_email" || record.server === "mail" || record.sessionId === "s-2")).toBe(true);
    const both = await cli(["audit", "query", "--verdict", "deny", "--verdict", "halt", "--event", "call", "--json", file]);
    expect((JSON.parse(both.stdout) as AuditRecord[]).map((record) => record.decision)).toEqual(["deny", "halt"]);
  });

  it("rejects bad filters with the flag that is wrong", async () => {
    const run = await cli(["audit", "query", "--verdict", "maybe", file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("`--verdict maybe` is not a verdict");
    expect((await cli(["audit", "query", "--since", "yesterday", file])).stderr).toContain("`--since yesterday` is not a time");
  });

  it("skips a line that parses but is not a record, naming its file, line and field, and prints the records around it", async () => {
    const path = join(tempDir(), "malformed.jsonl");
    const lines = [
      JSON.stringify(record(1)),
      JSON.stringify({ time: "2026-12-01T00:00:00Z", decision: "allow", policyIds: [], event: "call" }),
      JSON.stringify({ ...record(2), classes: "pii.email" }),
      JSON.stringify({ ...record(3), declaration: undefined }),
      JSON.stringify({ ...record(4), time: "yesterday" }),
      JSON.stringify({ ...record(5), trace: { requestId: { nested: true } } }),
      JSON.stringify(record(6)),
    ];
    writeFileSync(path, `${lines.join("\n")}\n`);
    const run = await cli(["audit", "query", "--only", path]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split("\n").at(-1)).toBe("2 records (all records)");
    expect(run.stderr).toContain(`skipped ${path}:2: \`v\` is missing`);
    expect(run.stderr).toContain(`skipped ${path}:3: \`classes\` is not a list of strings`);
    expect(run.stderr).toContain(`skipped ${path}:4: \`declaration\` is missing`);
    expect(run.stderr).toContain(`skipped ${path}:5: \`time\` is not an ISO 8601 time`);
    expect(run.stderr).toContain(`skipped ${path}:6: \`trace\` is not an object of strings`);
    const tail = await cli(["audit", "tail", path]);
    expect(tail.code).toBe(0);
    expect(tail.stdout.trim().split("\n")).toHaveLength(2);
  });

  it("prints the terminal controls a tool, session or thread name carries as escapes, in tables, lines and JSON", async () => {
    const path = join(tempDir(), "hostile", "audit.jsonl");
    const sink = createJsonlSink({ path });
    sink.write({ ...record(1), tool: "x\u001b[2J\u001b]0;owned\u0007\u001b[32mALLOW", sessionId: "s\u009b31m\nforged line", trace: { threadId: "t\u202eevil" } });
    await sink.close();
    const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/;
    const runs = [
      await cli(["audit", "query", path]),
      await cli(["audit", "query", "--jsonl", path]),
      await cli(["audit", "query", "--json", path]),
      await cli(["audit", "tail", path]),
      await cli(["audit", "tail", "--json", path]),
    ];
    for (const run of runs) expect(run.stdout).not.toMatch(raw);
    expect(runs[0]!.stdout).toContain("crm/x\\x1b[2J\\x1b]0;owned\\x07\\x1b[32mALLOW");
    expect(runs[0]!.stdout).toContain("s\\x9b31m\\x0aforged line");
    expect(runs[3]!.stdout.trim().split("\n")).toHaveLength(1);
    expect((JSON.parse(runs[2]!.stdout) as AuditRecord[])[0]!.sessionId).toBe("s\u009b31m\nforged line");
  });

  it("skips a torn line with a warning instead of failing", async () => {
    const copy = `${file}.torn.jsonl`;
    writeFileSync(copy, `${readFileSync(file, "utf8")}{"time": "2026-12-01T`);
    const run = await cli(["audit", "query", "--only", "--session", "s-2", copy]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/skipped .*torn\.jsonl:\d+/);
    renameSync(copy, `${copy}.done`);
  });
});
