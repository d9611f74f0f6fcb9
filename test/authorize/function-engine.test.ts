import { describe, expect, it } from "vitest";
import { createFunctionEngine } from "../../src/authorize/function-engine.js";
import { baseRules } from "../../examples/engines/typescript-rules.js";
import { policyEngineContract } from "./policy-engine.contract.js";

policyEngineContract("typescript function (examples/engines/typescript-rules.ts)", async () => createFunctionEngine(baseRules, { name: "typescript-rules" }));

describe("createFunctionEngine", () => {
  it("derives a stable revision from the function's source", () => {
    const a = createFunctionEngine(baseRules);
    expect(a.revision).toBe(createFunctionEngine(baseRules).revision);
    expect(a.revision).not.toBe(createFunctionEngine(() => ({ decision: "deny", determining: [], errors: [] })).revision);
  });
});
