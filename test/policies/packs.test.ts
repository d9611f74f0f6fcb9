import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers.js";

const schema = readFileSync(join(ROOT, "policies", "schema.cedarschema"), "utf8");
const FILES = ["policies/base/flow.cedar", "policies/packs/untrusted-content/untrusted-content.cedar", "policies/packs/confirm-commitments/confirm-commitments.cedar", "policies/packs/support-containment.cedar"];

describe("shipped policy packs", () => {
  for (const file of FILES) {
    it(`${file} validates against the schema in strict mode`, () => {
      const text = readFileSync(join(ROOT, file), "utf8");
      const result = cedar.validate({ schema, policies: { staticPolicies: text }, validationSettings: { mode: "strict" } });
      expect(result).toMatchObject({ type: "success", validationErrors: [], validationWarnings: [] });
    });

    it(`${file} gives every policy an id, a response and a reason`, () => {
      const text = readFileSync(join(ROOT, file), "utf8");
      const parsed = cedar.policySetTextToParts(text);
      expect(parsed.type).toBe("success");
      if (parsed.type !== "success") return;
      for (const policy of parsed.policies) {
        const json = cedar.policyToJson(policy);
        expect(json.type).toBe("success");
        if (json.type !== "success") continue;
        expect(Object.keys(json.json.annotations ?? {})).toEqual(expect.arrayContaining(["id", "reason", "response"]));
        expect(["deny", "ask", "redact", "halt", "alert"]).toContain(json.json.annotations!["response"]);
      }
    });
  }
});
