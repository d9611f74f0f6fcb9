import { describe, expect, it } from "vitest";
import { createMemorySink } from "../src/audit/memory-sink.js";
import { loadDeclarationFile } from "../src/declare/load.js";
import { createGuard } from "../src/guard.js";
import { example } from "./helpers.js";

/** The bundled declarations, each checked on a day inside its lifespan (examples must stay valid, whatever today is). */
const PASSING = [
  { file: "support.yaml", at: "2026-12-01T00:00:00Z", runtime: { environment: "production", region: "eu-west-1", account: "123456789012", tenant: "acme" } },
  { file: "analytics.yaml", at: "2026-12-01T00:00:00Z", runtime: { environment: "production", region: "us-east-1", account: "210987654321" } },
  { file: "tenant-service.yaml", at: "2026-12-01T00:00:00Z", runtime: { environment: "production", region: "eu-central-1", account: "345678901234", tenant: "globex" } },
];

describe("examples/declarations", () => {
  for (const { file, at, runtime } of PASSING) {
    it(`${file} passes the deploy gate in its own environment`, async () => {
      const guard = await createGuard({ declaration: example(file), audit: [createMemorySink()], runtime, clock: () => Date.parse(at) });
      expect((await guard.check()).decision).toBe("allow");
      await guard.close();
    });
  }

  it("vague-wildcards.yaml is refused for its wildcards and its whole-family scope", async () => {
    await expect(loadDeclarationFile(example("vague-wildcards.yaml"))).rejects.toMatchObject({
      code: "DECLARATION_TOO_BROAD",
      issues: [{ path: "dataScope.read[0]" }, { path: "dataScope.write[0]" }, { path: "tools[0].allow[0]" }, { path: "egress.allow[0]" }],
    });
  });

  it("vague-unbounded.yaml is refused for its missing description and environment and its two-year lifespan", async () => {
    await expect(loadDeclarationFile(example("vague-unbounded.yaml"))).rejects.toMatchObject({
      code: "DECLARATION_TOO_BROAD",
      issues: [{ path: "use.description" }, { path: "bounds" }, { path: "lifespan.expiresAt" }],
    });
  });
});
