import { describe, expect, it } from "vitest";
import { haystacks, splitTexts } from "../../src/flow/views.js";

const joins = (args: unknown, kind: "text" | "alnum" | "digits" | "exact") => haystacks(args).flatMap((h) => (h.parts === undefined ? [] : splitTexts(kind, h.parts)));

describe("haystacks", () => {
  it("joins the values of named fields without their keys, in order and in reverse", () => {
    expect(joins({ url: "https://x.example/?u=jane.doe", body: "@customer.example" }, "text")).toEqual(["https://x.example/?u=jane.doe@customer.example", "@customer.examplehttps://x.example/?u=jane.doe"]);
    expect(joins({ a: "1111 1111", b: "4111 1111" }, "digits")).toContain("4111111111111111");
  });

  it("still scans each key on its own", () => {
    expect(haystacks({ "jane.doe@customer.example": 1 }).map((h) => h.text)).toContain("jane.doe@customer.example");
  });
});
