import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers.js";
import { cli } from "./run-cli.js";

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
