import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers.js";

const IMPORT = /(?:import|export)\s[^"']*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** Each in-process adapter: the core's public API, the shared helpers, Node, and its own framework only. */
const ALLOWED: Record<string, readonly RegExp[]> = {
  langchain: [/^\.\/[\w-]+\.js$/, /^\.\.\/common\/[\w-]+\.js$/, /^\.\.\/\.\.\/src\/index\.js$/, /^node:/, /^langchain$/, /^@langchain\//, /^zod$/],
  openai: [/^\.\/[\w-]+\.js$/, /^\.\.\/common\/[\w-]+\.js$/, /^\.\.\/\.\.\/src\/index\.js$/, /^node:/, /^openai(\/|$)/],
  common: [/^\.\/[\w-]+\.js$/, /^\.\.\/\.\.\/src\/index\.js$/, /^node:/, /^@opentelemetry\/api$/],
};

describe("in-process adapters", () => {
  for (const [adapter, allowed] of Object.entries(ALLOWED)) {
    it(`keeps adapters/${adapter} to the core's public API, the shared helpers and its own framework`, () => {
      const dir = join(ROOT, "adapters", adapter);
      const offenders = readdirSync(dir)
        .filter((name) => name.endsWith(".ts"))
        .flatMap((name) => {
          const file = join(dir, name);
          return [...readFileSync(file, "utf8").matchAll(IMPORT)]
            .map((match) => match[1] ?? match[2]!)
            .filter((spec) => !allowed.some((pattern) => pattern.test(spec)))
            .map((spec) => `${relative(ROOT, file)} imports ${spec}`);
        });
      expect(offenders).toEqual([]);
    });
  }
});
