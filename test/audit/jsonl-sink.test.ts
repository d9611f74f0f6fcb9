import { spawnSync } from "node:child_process";
import { appendFileSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createJsonlSink } from "../../src/audit/jsonl-sink.js";
import { verifyAuditLog } from "../../src/audit/verify.js";
import { ROOT, tempDir } from "../helpers.js";
import { record } from "./audit-sink.contract.js";

const logIn = (dir: string) => join(dir, "audit.jsonl");

function rewriteLine(path: string, index: number, edit: (record: Record<string, unknown>) => Record<string, unknown> | undefined): void {
  const lines = readFileSync(path, "utf8").split("\n").filter(Boolean);
  const edited = edit(JSON.parse(lines[index]!) as Record<string, unknown>);
  if (edited === undefined) lines.splice(index, 1);
  else lines[index] = JSON.stringify(edited);
  writeFileSync(path, `${lines.join("\n")}\n`);
}

async function writeLog(count: number, options: { key?: string; maxBytes?: number } = {}): Promise<string> {
  const path = logIn(tempDir());
  const sink = createJsonlSink({ path, ...options });
  for (let n = 1; n <= count; n++) sink.write(record(n));
  await sink.close();
  return path;
}

describe("createJsonlSink", () => {
  it("chains each record to the previous one", async () => {
    const path = await writeLog(3);
    const records = readFileSync(path, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line));
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(records[0].prev).toBe("0".repeat(64));
    expect(records[1].prev).toBe(records[0].hash);
    expect(await verifyAuditLog([path])).toMatchObject({ ok: true, records: 3, head: { seq: 3, hash: records[2].hash } });
  });

  it("continues the chain when the guard restarts on an existing log", async () => {
    const path = await writeLog(2);
    const sink = createJsonlSink({ path });
    expect(sink.head().seq).toBe(2);
    sink.write(record(3));
    await sink.close();
    expect(await verifyAuditLog([path])).toMatchObject({ ok: true, records: 3 });
  });

  it("keeps the chain across rotated files", async () => {
    const path = await writeLog(40, { maxBytes: 4096 });
    const dir = join(path, "..");
    const rotated = readdirSync(dir).filter((name) => /^audit\.jsonl\.\d{12}$/.test(name)).sort().map((name) => join(dir, name));
    expect(rotated.length).toBeGreaterThan(1);
    expect(await verifyAuditLog([...rotated, path])).toMatchObject({ ok: true, records: 40 });
    expect(await verifyAuditLog([path])).toMatchObject({ ok: false, firstBreak: { kind: "removed", line: 1 } });
    expect(await verifyAuditLog([path], { partial: true })).toMatchObject({ ok: true, startsAt: { seq: expect.any(Number) } });
  });

  it("refuses a second writer, which would break the chain", async () => {
    const dir = tempDir();
    writeFileSync(`${logIn(dir)}.lock`, "1"); // pid 1 is always alive
    expect(() => createJsonlSink({ path: logIn(dir) })).toThrow(/another process \(pid 1\)/);
  });

  it("sets a log with a torn last line aside untouched and continues the chain in a copy of its whole records", async () => {
    const path = await writeLog(2);
    appendFileSync(path, '{"v":1,"time":"2026-');
    const before = readFileSync(path, "utf8");
    const sink = createJsonlSink({ path });
    sink.write(record(3));
    await sink.close();
    const damaged = readdirSync(join(path, "..")).filter((name) => name.startsWith("audit.jsonl.damaged-"));
    expect(damaged).toHaveLength(1);
    expect(readFileSync(join(path, "..", damaged[0]!), "utf8")).toBe(before);
    expect(await verifyAuditLog([path])).toMatchObject({ ok: true, records: 3, head: { seq: 3 } });
  });

  it("continues the chain after a record longer than a mebibyte, without taking the log for torn", async () => {
    const path = await writeLog(2);
    const long = createJsonlSink({ path });
    long.write({ ...record(3), detail: { note: "n".repeat(1_100_000) } });
    await long.close();
    const sink = createJsonlSink({ path });
    expect(sink.head().seq).toBe(3);
    sink.write(record(4));
    await sink.close();
    expect(readdirSync(join(path, "..")).filter((name) => name.includes("damaged"))).toEqual([]);
    expect(await verifyAuditLog([path])).toMatchObject({ ok: true, records: 4 });
  });

  it("refuses to start on a non-empty log that holds no record, rather than restart its chain at genesis", () => {
    const path = logIn(tempDir());
    writeFileSync(path, "not an audit log\n");
    expect(() => createJsonlSink({ path })).toThrow(/holds no whole audit record/);
    expect(readFileSync(path, "utf8")).toBe("not an audit log\n");
    expect(() => createJsonlSink({ path })).toThrow(/holds no whole audit record/); // the lock was released
  });

  it("does no I/O in write: with batchMs 0, the records of one turn are chained and written together on the next, in order", async () => {
    const path = logIn(tempDir());
    const sink = createJsonlSink({ path, batchMs: 0 });
    for (let n = 1; n <= 3; n++) sink.write(record(n));
    expect(readFileSync(path, "utf8")).toBe("");
    expect(sink.head().seq).toBe(3); // the head counts records not yet written
    await new Promise((resolve) => setImmediate(resolve));
    const lines = readFileSync(path, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line));
    expect(lines.map((line) => [line.seq, line.decisionId])).toEqual([1, 2, 3].map((n) => [n, record(n).decisionId]));
    expect(lines[2].hash).toBe(sink.head().hash);
    await sink.close();
    expect(await verifyAuditLog([path])).toMatchObject({ ok: true, records: 3 });
  });

  it("writes the records of several turns in one batch once the batch window has passed", async () => {
    const path = logIn(tempDir());
    const sink = createJsonlSink({ path, batchMs: 40 });
    for (let n = 1; n <= 3; n++) {
      sink.write(record(n));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(readFileSync(path, "utf8")).toBe("");
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(readFileSync(path, "utf8").split("\n").filter(Boolean)).toHaveLength(3);
    await sink.close();
    expect(await verifyAuditLog([path])).toMatchObject({ ok: true, records: 3 });
  });

  it("writes the records queued in the same turn as close", async () => {
    const path = logIn(tempDir());
    const sink = createJsonlSink({ path });
    for (let n = 1; n <= 50; n++) sink.write(record(n));
    await sink.close();
    expect(await verifyAuditLog([path])).toMatchObject({ ok: true, records: 50, head: { seq: 50 } });
  });

  it("fails for good, keeping every other record, when a record cannot be serialized", async () => {
    const path = logIn(tempDir());
    const sink = createJsonlSink({ path });
    sink.write(record(1));
    sink.write({ ...record(2), detail: { count: 1n as unknown as number } });
    sink.write(record(3));
    await expect(sink.flush()).rejects.toThrow(/cannot serialize an audit record .*BigInt/);
    expect(sink.failure?.()).toMatch(/decision 00000000-0000-4000-8000-000000000002/);
    sink.write(record(4));
    await expect(sink.flush()).rejects.toThrow(/cannot serialize/); // a gap is never forgotten
    await expect(sink.close()).rejects.toThrow(/cannot serialize/);
    const written = readFileSync(path, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line).decisionId);
    expect(written).toEqual([1, 3, 4].map((n) => record(n).decisionId));
    expect(await verifyAuditLog([path])).toMatchObject({ ok: true, records: 3 });
  });

  it("writes every queued record when the process crashes with an uncaught exception", () => {
    const path = logIn(tempDir());
    const script = `
      import { createJsonlSink } from ${JSON.stringify(join(ROOT, "src/audit/jsonl-sink.ts"))};
      import { record } from ${JSON.stringify(join(ROOT, "test/audit/audit-sink.contract.ts"))};
      const sink = createJsonlSink({ path: ${JSON.stringify(path)} });
      for (let n = 1; n <= 500; n++) sink.write(record(n));
      throw new Error("agent crashed");`;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8" });
    expect(child.status).not.toBe(0);
    expect(child.stderr).toContain("agent crashed");
    return verifyAuditLog([path]).then((report) => expect(report).toMatchObject({ ok: true, records: 500 }));
  });

  it("says so on stderr and exits non-zero when the records queued at exit cannot be written (a full disk)", () => {
    const path = logIn(tempDir());
    symlinkSync("/dev/full", path);
    const script = `
      import { createJsonlSink } from ${JSON.stringify(join(ROOT, "src/audit/jsonl-sink.ts"))};
      import { record } from ${JSON.stringify(join(ROOT, "test/audit/audit-sink.contract.ts"))};
      const sink = createJsonlSink({ path: ${JSON.stringify(path)} });
      for (let n = 1; n <= 3; n++) sink.write(record(n));`;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8" });
    expect(child.status).toBe(1);
    expect(child.stderr).toMatch(/the audit log .*audit\.jsonl is incomplete: cannot write .*ENOSPC.*; 3 records not written/);
  });

  it("fails, so the guard denies later calls, and rejects close when the log cannot be written", async () => {
    const path = logIn(tempDir());
    symlinkSync("/dev/full", path);
    const sink = createJsonlSink({ path, batchMs: 0 });
    sink.write(record(1));
    await new Promise((resolve) => setImmediate(resolve));
    expect(sink.failure?.()).toMatch(/ENOSPC/);
    sink.write(record(2));
    await expect(sink.close()).rejects.toThrow(/ENOSPC.*; 2 records not written/);
  });

  it("publishes its head beside the log after each batch, never ahead of the records written", async () => {
    const path = logIn(tempDir());
    const sink = createJsonlSink({ path, batchMs: 0 });
    const published = () => JSON.parse(readFileSync(`${path}.head`, "utf8")) as { seq: number; hash: string };
    expect(published()).toEqual({ seq: 0, hash: "0".repeat(64) });
    for (let n = 1; n <= 3; n++) sink.write(record(n));
    expect(published().seq).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(published()).toEqual(sink.head());
    await sink.close();
    expect(readFileSync(`${path}.head`, "utf8")).toHaveLength(128);
  });

  // The head file was opened with `w`, which empties it until the first write: a crash between the two stopped every
  // later start. It is now overwritten in place, and an empty one is taken for no head.
  it("starts again after a crash that left its head file empty, and keeps the head when reopened", async () => {
    const path = await writeLog(3);
    const head = readFileSync(`${path}.head`, "utf8");
    const reopened = createJsonlSink({ path });
    expect(readFileSync(`${path}.head`, "utf8")).toBe(head);
    await reopened.close();
    writeFileSync(`${path}.head`, "");
    const sink = createJsonlSink({ path });
    expect(sink.head().seq).toBe(3);
    await sink.close();
  });

  // Found by a fourth review: two guards of one process on the default path both wrote (seq 1, 1, 2), an empty lock
  // file or a head file of zeros (a crash at the wrong moment) stopped every later start.
  it("refuses a second writer in the same process, and starts after a crash that left an empty lock or a zeroed head", async () => {
    const path = await writeLog(2);
    const first = createJsonlSink({ path });
    expect(() => createJsonlSink({ path: join(path, "..", ".", "audit.jsonl") })).toThrow(/this process already writes this audit log/);
    await first.close();
    writeFileSync(`${path}.lock`, "");
    writeFileSync(`${path}.head`, "\0".repeat(128));
    const sink = createJsonlSink({ path });
    expect(sink.head().seq).toBe(2);
    await sink.close();
  });

  // A crash cut the first write after a rotation: the log held no whole record and the sink refused every start,
  // though its head file said where the chain was (fourth review).
  it("continues from its published head when the log holds only a torn first write", async () => {
    const path = await writeLog(3);
    renameSync(path, `${path}.000000000003`);
    writeFileSync(path, '{"v":1,"time":"2026-12-01T12:00:00.000Z","decisionId":"0193');
    const sink = createJsonlSink({ path });
    expect(sink.head().seq).toBe(3);
    sink.write(record(4));
    await sink.close();
    expect(await verifyAuditLog([`${path}.000000000003`, path])).toMatchObject({ ok: true, records: 4 });
    expect(readdirSync(join(path, "..")).some((name) => name.startsWith("audit.jsonl.damaged-"))).toBe(true);
  });

  it("continues from its published head when the log lost its last records, so the gap stays for verify to find", async () => {
    const path = await writeLog(5);
    rewriteLine(path, 4, () => undefined);
    rewriteLine(path, 3, () => undefined);
    const sink = createJsonlSink({ path });
    expect(sink.head().seq).toBe(5);
    sink.write(record(6));
    await sink.close();
    expect(await verifyAuditLog([path])).toMatchObject({ ok: false, firstBreak: { kind: "removed", seq: 6, message: "records 4..5 are missing before record 6" } });
  });

  it("continues the chain from its published head when the log is empty after a rotation", async () => {
    const path = await writeLog(3);
    const dir = join(path, "..");
    renameSync(path, `${path}.000000000003`);
    writeFileSync(path, "");
    const sink = createJsonlSink({ path });
    sink.write(record(4));
    await sink.close();
    expect(await verifyAuditLog([join(dir, "audit.jsonl.000000000003"), path])).toMatchObject({ ok: true, records: 4 });
  });

  it("writes every queued record when the process receives SIGTERM", () => {
    const path = logIn(tempDir());
    const script = `
      import { createJsonlSink } from ${JSON.stringify(join(ROOT, "src/audit/jsonl-sink.ts"))};
      import { record } from ${JSON.stringify(join(ROOT, "test/audit/audit-sink.contract.ts"))};
      const sink = createJsonlSink({ path: ${JSON.stringify(path)} });
      for (let n = 1; n <= 300; n++) sink.write(record(n));
      process.kill(process.pid, "SIGTERM");
      setTimeout(() => {}, 10_000);`;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8", timeout: 20_000 });
    expect(child.signal).toBe("SIGTERM");
    return verifyAuditLog([path]).then((report) => expect(report).toMatchObject({ ok: true, records: 300 }));
  });
});

describe("verifyAuditLog", () => {
  it("reports an altered record", async () => {
    const path = await writeLog(5);
    rewriteLine(path, 2, (r) => ({ ...r, decision: "allow" === r["decision"] ? "deny" : "allow" }));
    expect(await verifyAuditLog([path])).toMatchObject({ ok: false, records: 2, firstBreak: { kind: "altered", line: 3, seq: 3 } });
  });

  it("reports a record altered and re-hashed by its link to the next one", async () => {
    const { linkHash } = await import("../../src/audit/chain.js");
    const path = await writeLog(5);
    rewriteLine(path, 1, (r) => {
      const { hash: _hash, ...rest } = r;
      const changed = { ...rest, decision: "deny" };
      return { ...changed, hash: linkHash(String(rest["prev"]), JSON.stringify(changed)) };
    });
    expect(await verifyAuditLog([path])).toMatchObject({ ok: false, firstBreak: { kind: "altered", seq: 3, message: expect.stringContaining("does not link to record 2") } });
  });

  it("reports a removed record", async () => {
    const path = await writeLog(5);
    rewriteLine(path, 2, () => undefined);
    expect(await verifyAuditLog([path])).toMatchObject({ ok: false, firstBreak: { kind: "removed", seq: 4, message: "record 3 is missing before record 4" } });
  });

  it("reports records removed from the start of a log that no earlier file precedes, unless told it is partial", async () => {
    const path = await writeLog(5);
    rewriteLine(path, 0, () => undefined);
    rewriteLine(path, 0, () => undefined);
    expect(await verifyAuditLog([path])).toMatchObject({ ok: false, records: 0, firstBreak: { kind: "removed", line: 1, seq: 3, message: expect.stringMatching(/^records 1\.\.2 are missing before record 3: .*--only/) } });
    expect(await verifyAuditLog([path], { partial: true })).toMatchObject({ ok: true, records: 3, startsAt: { seq: 3 } });
  });

  it("reports records removed from the end when the chain does not reach an expected head", async () => {
    const path = await writeLog(5);
    const { head } = await verifyAuditLog([path]);
    rewriteLine(path, 4, () => undefined);
    const expectHeads = [{ ...head!, source: "a copy" }];
    expect(await verifyAuditLog([path])).toMatchObject({ ok: true, records: 4 });
    expect(await verifyAuditLog([path], { expectHeads })).toMatchObject({ ok: false, records: 4, firstBreak: { kind: "removed", line: 5, message: "record 5 is missing at the end: the chain ends at record 4, but a copy says it reached record 5" } });
    writeFileSync(path, "");
    expect(await verifyAuditLog([path], { expectHeads })).toMatchObject({ ok: false, firstBreak: { kind: "removed", message: expect.stringMatching(/^records 1\.\.5 are missing at the end/) } });
  });

  it("accepts a chain that grew past an expected head, and reports one whose record at that head was replaced", async () => {
    const path = await writeLog(3);
    const { head } = await verifyAuditLog([path]);
    const sink = createJsonlSink({ path });
    sink.write(record(4));
    await sink.close();
    expect(await verifyAuditLog([path], { expectHeads: [{ ...head!, source: "a copy" }] })).toMatchObject({ ok: true, records: 4 });
    expect(await verifyAuditLog([path], { expectHeads: [{ seq: 3, hash: "f".repeat(64), source: "a copy" }] })).toMatchObject({ ok: false, firstBreak: { kind: "altered", seq: 3 } });
  });

  it("reports reordered records", async () => {
    const path = await writeLog(5);
    const lines = readFileSync(path, "utf8").split("\n").filter(Boolean);
    [lines[1], lines[2]] = [lines[2]!, lines[1]!];
    writeFileSync(path, `${lines.join("\n")}\n`);
    expect(await verifyAuditLog([path])).toMatchObject({ ok: false, firstBreak: { kind: "reordered", line: 2, seq: 3 } });
  });

  it("reports a line that is not a record", async () => {
    const path = await writeLog(3);
    appendFileSync(path, "not json\n");
    expect(await verifyAuditLog([path])).toMatchObject({ ok: false, records: 3, firstBreak: { kind: "malformed", line: 4 } });
  });

  it("with an HMAC key, catches a forger who recomputed every hash without it", async () => {
    const { linkHash } = await import("../../src/audit/chain.js");
    const key = "k".repeat(32);
    const path = await writeLog(3, { key });
    const lines = readFileSync(path, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line));
    let prev = "0".repeat(64);
    const forged = lines.map((r) => {
      const { hash: _hash, ...rest } = r;
      const changed = { ...rest, decision: "allow", prev };
      const hash = linkHash(prev, JSON.stringify(changed));
      prev = hash;
      return JSON.stringify({ ...changed, hash });
    });
    writeFileSync(path, `${forged.join("\n")}\n`);
    expect((await verifyAuditLog([path])).ok).toBe(true);
    expect(await verifyAuditLog([path], { key })).toMatchObject({ ok: false, firstBreak: { kind: "altered", seq: 1 } });
  });
});
