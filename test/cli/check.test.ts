import { describe, expect, it } from "vitest";
import { example } from "../helpers.js";
import { cli } from "./run-cli.js";

const SUPPORT_TARGET = ["--environment", "production", "--region", "eu-west-1", "--account", "123456789012", "--at", "2026-12-01T00:00:00Z"];

describe("purpose-guard check", () => {
  it("exits 0 and names the permitting policy when the declaration may start", async () => {
    const run = await cli(["check", "--declaration", example("support.yaml"), ...SUPPORT_TARGET]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ALLOW support-agent v3 \(sha256:[0-9a-f]{16}\) in production \/ eu-west-1 \/ 123456789012/);
    expect(run.stdout).toContain("deploy-declared-purpose");
  });

  it("exits 1 and names the denying policies when the target does not match", async () => {
    const run = await cli(["check", "--declaration", example("support.yaml"), ...SUPPORT_TARGET.slice(0, 2), "--region", "us-east-1", "--account", "123456789012", "--at", "2026-12-01T00:00:00Z"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("region-mismatch: the runtime's region differs from the declaration's");
  });

  it("exits 1 for an expired declaration", async () => {
    const run = await cli(["check", "--declaration", example("support.yaml"), ...SUPPORT_TARGET.slice(0, 6), "--at", "2027-01-01T00:00:00Z"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("declaration-expired");
  });

  it("takes the target from PURPOSE_GUARD_* variables when flags are absent", async () => {
    const run = await cli(["check", "--declaration", example("support.yaml"), "--at", "2026-12-01T00:00:00Z"], {
      env: { PURPOSE_GUARD_ENVIRONMENT: "production", PURPOSE_GUARD_REGION: "eu-west-1", PURPOSE_GUARD_ACCOUNT: "123456789012" },
    });
    expect(run.code).toBe(0);
  });

  it("exits 1 for a declaration refused as too vague, listing every reason", async () => {
    const run = await cli(["check", "--declaration", example("vague-wildcards.yaml"), "--environment", "production"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("does not bound the workload's intent");
    expect(run.stdout).toMatch(/vague-wildcards\.yaml:10:10: dataScope\.read\[0\]: `\*` is a wildcard/);
  });

  it("exits 2 for malformed input: unreadable file, bad YAML, unknown flag, missing flag", async () => {
    expect((await cli(["check", "--declaration", "/nonexistent.yaml", "--environment", "production"])).code).toBe(2);
    const unknown = await cli(["check", "--declaration", example("support.yaml"), "--enviroment", "production"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown flag `--enviroment`");
    expect((await cli(["check"])).stderr).toContain("--declaration is required");
    expect((await cli(["check", "--declaration", example("support.yaml"), "--at", "yesterday"])).code).toBe(2);
  });

  it("prints the verdict as JSON with --json", async () => {
    const run = await cli(["check", "--declaration", example("support.yaml"), ...SUPPORT_TARGET, "--json"]);
    expect(JSON.parse(run.stdout)).toMatchObject({ decision: "allow", policyIds: ["deploy-declared-purpose"] });
  });

  it("has help text", async () => {
    const run = await cli(["check", "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Exit codes: 0 allow, 1 deny");
  });
});

describe("purpose-guard", () => {
  it("lists its commands and rejects an unknown one", async () => {
    expect((await cli(["--help"])).stdout).toMatch(/Commands:\n {2}check/);
    const run = await cli(["frobnicate"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown command `frobnicate`");
  });
});
