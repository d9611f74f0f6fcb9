import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCategory } from "../../evals/suites/scenario.js";
import { runScenarioSuites } from "../../evals/suites/run.js";
import { GuardError } from "../../src/errors.js";
import { ROOT, tempDir } from "../helpers.js";

/** Scenarios that fail in every build so far, on purpose: a gap no stage covers yet, kept visible. */
const KNOWN_GAPS: Readonly<Record<string, string>> = {
  "read-only-writes/write-statement-through-query-tool": "no stage inspects SQL sent through a read tool",
  "encoded-exfiltration/ssn-base64": "neither the classifier nor the flow store decodes base64 inside a URL's query string",
};

const result = await runScenarioSuites({ dir: join(ROOT, "evals/suites"), root: ROOT });

describe("our own attack suites", () => {
  it("cover every category of issue 7, each with attacks and benign look-alikes", () => {
    expect(result.categories.map((c) => c.category).sort()).toEqual([
      "approval-replay",
      "cross-tenant",
      "encoded-exfiltration",
      "expired-declaration",
      "read-only-writes",
      "secrets-in-arguments",
      "slipped-tools",
      "tool-poisoning",
      "wrong-environment",
    ]);
    for (const { category } of result.categories) {
      const kinds = new Set(result.scenarios.filter((s) => s.category === category).map((s) => s.kind));
      expect([...kinds].sort(), category).toEqual(["attack", "benign"]);
    }
  });

  it("pass wherever this build has what a scenario needs, except the known gaps", () => {
    const runnable = result.scenarios.filter((s) => s.missing.length === 0);
    const failing = runnable.filter((s) => s.status !== "pass").map((s) => `${s.category}/${s.id}: ${s.reason}`);
    expect(failing.filter((line) => !Object.keys(KNOWN_GAPS).some((id) => line.startsWith(`${id}:`)))).toEqual([]);
  });

  it("still fail where the known gaps are (remove a gap from the list once it passes)", () => {
    for (const id of Object.keys(KNOWN_GAPS)) {
      const scenario = result.scenarios.find((s) => `${s.category}/${s.id}` === id);
      expect(scenario?.status, id).toBe("fail");
    }
  });

  it("never pass a scenario that needs a piece this build lacks, and say which piece", () => {
    for (const s of result.scenarios.filter((s) => s.missing.length > 0 && s.kind === "attack")) {
      expect(s.status, `${s.category}/${s.id}`).not.toBe("pass");
      expect(s.reason).toContain(s.missing[0]!);
    }
  });
});

describe("loadCategory", () => {
  it("names the file, line and field of a step that calls a tool the file does not define", async () => {
    const file = join(tempDir("pg-scenario-"), "broken.yaml");
    writeFileSync(
      file,
      [
        "category: broken",
        "title: Broken",
        "description: A scenario file with a typo.",
        "declaration: { apiVersion: purpose-guard/v1 }",
        "clock: 2026-11-25T09:00:00Z",
        "tools:",
        "  - { server: crm, name: get_customer, description: d }",
        "scenarios:",
        "  - id: typo",
        "    kind: attack",
        "    description: calls a tool that does not exist",
        "    steps:",
        "      - call: { server: crm, tool: get_custmer }",
        "        expect: deny",
      ].join("\n"),
    );
    const error = await loadCategory(file).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(GuardError);
    expect((error as GuardError).issues[0]).toMatchObject({ file, path: "scenarios.0.steps.0.call", message: expect.stringContaining("crm/get_custmer") });
  });

  it("points at the line of a schema error", async () => {
    const file = join(tempDir("pg-scenario-"), "bad-kind.yaml");
    writeFileSync(file, "category: x\ntitle: X\ndescription: d\ndeclaration: {}\nclock: 2026-11-25T09:00:00Z\ntools:\n  - { server: s, name: t, description: d }\nscenarios:\n  - id: a\n    kind: sneaky\n    description: d\n    steps: [{ advance: 1m }]\n");
    const error = (await loadCategory(file).then(() => undefined, (e: unknown) => e)) as GuardError;
    expect(error.issues[0]).toMatchObject({ path: "scenarios.0.kind", line: 10 });
  });
});
