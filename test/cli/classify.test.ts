import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CliIO } from "../../adapters/cli/command.js";
import { main } from "../../adapters/cli/main.js";
import { ROOT, tempDir } from "../helpers.js";
import { cli } from "./run-cli.js";

/** A file of `count` JSON lines: every third holds an email, the rest nothing; CRLF line ends on every fifth. */
function jsonlFile(dir: string, count: number): string {
  let text = "";
  for (let i = 0; i < count; i++) text += `${JSON.stringify(i % 3 === 0 ? { to: `user${i}@mail.example` } : { n: i })}${i % 5 === 0 ? "\r\n" : "\n"}`;
  const file = join(dir, "calls.jsonl");
  writeFileSync(file, text);
  return file;
}

const RESULT = { customer: { email: "jane.doe@customer.example", ssn: "219-09-9991", note: "card 4242 4242 4242 4242" } };

describe("purpose-guard classify", () => {
  it("prints findings of a JSON file as a table with masked values", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "result.json"), JSON.stringify(RESULT));
    const run = await cli(["classify", "result.json"], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/pii\.email\s+\/customer\/email\s+0-25\s+regex:email/);
    expect(run.stdout).toContain("3 findings, classes: pii.email, pii.ssn, financial.card");
    expect(run.stdout).not.toContain("jane.doe@customer.example");
  });

  it("prints a JSON array of {class, pointer, start, end, detector, confidence} with --json", async () => {
    const run = await cli(["classify", "--json", "-"], { stdin: JSON.stringify(RESULT) });
    expect(run.code).toBe(0);
    const findings = JSON.parse(run.stdout) as Record<string, unknown>[];
    expect(findings[0]).toEqual({ class: "pii.email", pointer: "/customer/email", start: 0, end: 25, detector: "regex:email", confidence: 0.95 });
    expect(findings.map((f) => f["class"])).toEqual(["pii.email", "pii.ssn", "financial.card"]);
  });

  it("classifies text that is not JSON as one string", async () => {
    const run = await cli(["classify", "--json"], { stdin: "Call me at +44 20 7946 0958, Jane" });
    expect(JSON.parse(run.stdout)).toContainEqual(expect.objectContaining({ class: "pii.phone", pointer: "", start: 11, end: 27 }));
  });

  it("writes one findings array per input line with --jsonl, blank lines included", async () => {
    const run = await cli(["classify", "--jsonl"], { stdin: '{"to":"a@b.example"}\n\n"nothing here"\n' });
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as unknown[]);
    expect(lines.map((line) => line.length)).toEqual([1, 0, 0]);
  });

  it("streams a large --jsonl file: one array per line, in order, CRLF line ends included", async () => {
    const dir = tempDir();
    jsonlFile(dir, 20_000);
    const run = await cli(["classify", "--jsonl", "calls.jsonl"], { cwd: dir });
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as { class: string; pointer: string }[]);
    expect(lines).toHaveLength(20_000);
    lines.forEach((findings, i) => expect(findings.map((f) => `${f.class} ${f.pointer}`)).toEqual(i % 3 === 0 ? ["pii.email /to"] : []));
  });

  it("waits for a slow reader: with a stdout whose buffer is always full, nothing is written before it drains", async () => {
    const dir = tempDir();
    jsonlFile(dir, 300);
    let out = "";
    let waiting = false;
    let wroteWhileFull = 0;
    const stdout = {
      write(chunk: string) {
        if (waiting) wroteWhileFull++;
        out += chunk;
        waiting = true;
        return false;
      },
      once(event: "drain" | "close", listener: () => void) {
        if (event !== "drain") return;
        setImmediate(() => {
          waiting = false;
          listener();
        });
      },
    };
    const io: CliIO = { stdout, stderr: { write: () => true }, stdin: Readable.from([""]), cwd: dir, env: {} };
    expect(await main(["classify", "--jsonl", "calls.jsonl"], io)).toBe(0);
    expect(wroteWhileFull).toBe(0);
    expect(out.trimEnd().split("\n")).toHaveLength(300);
  });

  it("ends quietly when the reader goes away (| head), and fails with OUTPUT_FAILED when a write fails", async () => {
    const dir = tempDir();
    jsonlFile(dir, 2_000);
    const run = async (code: string) => {
      let written = 0;
      let err = "";
      const stdout = new Writable({
        highWaterMark: 64,
        write(_chunk, _encoding, done) {
          written++;
          done(written > 5 ? Object.assign(new Error(`write ${code}`), { code }) : null);
        },
      });
      const io: CliIO = { stdout, stderr: { write: (chunk: string) => (err += chunk) }, stdin: Readable.from([""]), cwd: dir, env: {} };
      return { code: await main(["classify", "--jsonl", "calls.jsonl"], io), written, err };
    };
    const closed = await run("EPIPE");
    expect(closed.code).toBe(0);
    expect(closed.written).toBeLessThan(20);
    expect(closed.err).toBe("");
    const full = await run("ENOSPC");
    expect(full.code).toBe(3);
    expect(full.err).toContain("OUTPUT_FAILED: cannot write the findings: write ENOSPC");
  });

  it("as a process, exits 0 without a word when its reader closes the pipe early (| head)", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "big.json"), JSON.stringify(Array.from({ length: 20_000 }, (_, i) => ({ to: `user${i}@mail.example` }))));
    jsonlFile(dir, 50_000);
    for (const flag of ["--json", "--jsonl"]) {
      const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "adapters/cli/main.ts"), "classify", flag, join(dir, flag === "--json" ? "big.json" : "calls.jsonl")], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      // Read the first chunk, then close our end, as `head -1` does.
      child.stdout.once("data", () => child.stdout.destroy());
      const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
      expect({ flag, code, stderr }).toEqual({ flag, code: 0, stderr: "" });
    }
  }, 60_000);

  it("stops at a --jsonl line that is not JSON, naming it, after the arrays of the lines before it", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "calls.jsonl"), '{"to":"a@b.example"}\n"fine"\n{"n":1}\n{broken\n{"to":"c@d.example"}\n');
    const run = await cli(["classify", "--jsonl", "calls.jsonl"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stdout.trimEnd().split("\n")).toHaveLength(3);
    expect(run.stderr).toContain("calls.jsonl:4 is not JSON");
  });

  describe("progress", () => {
    afterEach(() => vi.restoreAllMocks());

    it("is shown on a terminal's stderr once a second, and never in a pipe", async () => {
      const dir = tempDir();
      jsonlFile(dir, 50);
      // Each reading of the clock is 300 ms after the last: a line a second or so.
      let now = 0;
      vi.spyOn(Date, "now").mockImplementation(() => (now += 300));
      let tty = "";
      const io = (isTTY: boolean, sink: (chunk: string) => void): CliIO => ({
        stdout: { write: () => true },
        stderr: { write: (chunk: string) => sink(chunk), isTTY },
        stdin: Readable.from([""]),
        cwd: dir,
        env: {},
      });
      expect(await main(["classify", "--jsonl", "calls.jsonl"], io(true, (chunk) => (tty += chunk)))).toBe(0);
      expect(tty).toMatch(/^\rclassify: \d+ lines, 0\.0 MB/);
      expect(tty.endsWith("\rclassify: 50 lines, 0.0 MB\n")).toBe(true);
      let piped = "";
      expect(await main(["classify", "--jsonl", "calls.jsonl"], io(false, (chunk) => (piped += chunk)))).toBe(0);
      expect(piped).toBe("");
    });
  });

  it("names the line of a --jsonl input that is not JSON and exits 2", async () => {
    const run = await cli(["classify", "--jsonl"], { stdin: '{"ok":1}\n{broken\n' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("<stdin>:2 is not JSON");
  });

  it("exits 2 with a fix for an unreadable file, an unknown family and a bad confidence", async () => {
    for (const args of [["classify", "missing.json"], ["classify", "--disable", "nope", "-"], ["classify", "--min-confidence", "7", "-"], ["classify", "--json", "--jsonl", "-"]]) {
      const run = await cli(args, { cwd: tempDir() });
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toMatch(/fix:|--help/);
    }
  });

  it("has help text with usage and examples", async () => {
    const run = await cli(["classify", "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Usage: purpose-guard classify [flags] [FILE|-]");
    expect(run.stdout).toContain("--jsonl");
    expect(run.stdout).toContain("Examples:");
  });
});
