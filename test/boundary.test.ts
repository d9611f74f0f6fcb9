import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

const IMPORT = /(?:import|export)\s[^"']*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
const imports = (file: string) => [...readFileSync(file, "utf8").matchAll(IMPORT)].map((match) => match[1] ?? match[2]!);

/** Frameworks that only adapters may import. */
const FRAMEWORKS = [/^@modelcontextprotocol\//, /^langchain/, /^@langchain\//, /^openai/, /^@opentelemetry\//, /^playwright/];

describe("architecture", () => {
  it("keeps the core free of adapters and agent frameworks", () => {
    const offenders = sources(join(ROOT, "src")).flatMap((file) =>
      imports(file)
        .filter((spec) => spec.includes("/adapters/") || spec.startsWith("../adapters") || FRAMEWORKS.some((pattern) => pattern.test(spec)))
        .map((spec) => `${relative(ROOT, file)} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it("keeps the stages from importing the guard that composes them", () => {
    const offenders = sources(join(ROOT, "src"))
      .filter((file) => !file.endsWith("/src/guard.ts") && !file.endsWith("/src/index.ts"))
      .flatMap((file) => imports(file).filter((spec) => /(^|\/)guard\.js$/.test(spec)).map((spec) => `${relative(ROOT, file)} imports ${spec}`));
    expect(offenders).toEqual([]);
  });
});
