/**
 * Differential conformance (see conformance.ts): through the guarded proxy, server-everything must pass every
 * conformance check it passes on its own.
 */
import { describe, expect, it } from "vitest";
import { differentialConformance, formatDifferential } from "./conformance.js";

describe("purpose-guard proxy conformance", () => {
  it("passes every @modelcontextprotocol/conformance check that server-everything passes directly", async () => {
    const result = await differentialConformance();
    console.log(`\n${formatDifferential(result)}\n`);
    expect(result.direct.size).toBeGreaterThan(20);
    expect(result.regressions).toEqual([]);
  }, 600_000);
});
