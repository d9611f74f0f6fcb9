import { describe, expect, it } from "vitest";
import { contains, diff, subtract } from "../../../evals/agentdojo/effect.js";

describe("diff", () => {
  it("keys records with an id, and compares added records without their id", () => {
    const before = { mail: [{ id: "1", to: "a" }] };
    const one = diff(before, { mail: [{ id: "1", to: "a" }, { id: "2", to: "b" }] });
    const other = diff(before, { mail: [{ id: "1", to: "a" }, { id: "9", to: "b" }] });
    expect(one).toEqual([{ op: "add", at: "/mail", value: { to: "b" } }]);
    expect(contains(other, one)).toBe(true);
  });

  it("reports a changed field of an existing record at its keyed path", () => {
    expect(diff({ tx: [{ id: 7, amount: 1100 }] }, { tx: [{ id: 7, amount: 1200 }] })).toEqual([{ op: "set", at: "/tx[id=7]/amount", value: 1200 }]);
  });

  it("treats lists of plain values as multisets", () => {
    const changes = diff({ requests: ["a", "a"] }, { requests: ["a", "b", "a", "b"] });
    expect(changes).toEqual([
      { op: "add", at: "/requests", value: "b" },
      { op: "add", at: "/requests", value: "b" },
    ]);
  });

  it("reports removed records and keys", () => {
    expect(diff({ files: [{ id: "1" }, { id: "2" }], m: { a: 1 } }, { files: [{ id: "2" }], m: {} })).toEqual([
      { op: "remove", at: "/files", value: { id: "1" } },
      { op: "unset", at: "/m/a" },
    ]);
  });
});

describe("contains", () => {
  it("needs every expected change, counted as a multiset", () => {
    const twice = [{ op: "add", at: "/tx", value: { to: "x" } }, { op: "add", at: "/tx", value: { to: "x" } }] as const;
    expect(contains([twice[0]], twice)).toBe(false);
    expect(contains([...twice, { op: "set", at: "/p", value: 1 }], twice)).toBe(true);
  });

  it("fails when a later change overwrote the expected value", () => {
    const expected = [{ op: "set", at: "/user/password", value: "mine" }] as const;
    expect(contains(diff({ user: { password: "a" } }, { user: { password: "theirs" } }), expected)).toBe(false);
  });
});

describe("subtract", () => {
  it("removes the changes another effect also makes", () => {
    const a = [{ op: "add", at: "/r", value: "x" }, { op: "add", at: "/r", value: "y" }] as const;
    expect(subtract(a, [a[0]])).toEqual([a[1]]);
  });
});
