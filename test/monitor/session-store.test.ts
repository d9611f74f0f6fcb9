import { describe, expect, it } from "vitest";
import { SessionStore } from "../../src/monitor/session.js";

const HALT = { decisionId: "d1", policyIds: ["p"], message: "halted", at: 0 };

describe("SessionStore", () => {
  it("forgets the longest-idle session past its bound, never a halted one", () => {
    const store = new SessionStore(2);
    store.get("halted", 0).halted = HALT;
    store.get("a", 1);
    store.get("b", 2);
    store.get("c", 3);
    expect(store.peek("halted")?.halted).toEqual(HALT);
    expect(store.peek("a")).toBeUndefined();
    expect(store.get("halted", 4).halted).toEqual(HALT);
  });

  it("lifts a halt on release, and the session is bounded again", () => {
    const store = new SessionStore(1);
    store.get("s", 0).halted = HALT;
    store.get("t", 1);
    store.get("u", 2);
    expect(store.release("s")).toBe(true);
    expect(store.peek("s")?.halted).toBeUndefined();
    expect(store.release("s")).toBe(false);
    store.get("v", 3);
    store.get("w", 4);
    expect(store.peek("s")).toBeUndefined();
  });

  // Each new session used to walk past every halted one to find one it may forget.
  it("starts new sessions in linear time however many are halted", { timeout: 20_000 }, () => {
    const store = new SessionStore(100);
    for (let i = 0; i < 20_000; i++) store.get(`halted-${i}`, i).halted = HALT;
    for (let i = 0; i < 200_000; i++) store.get(`new-${i}`, i);
    expect(store.peek("halted-0")?.halted).toEqual(HALT);
    expect(store.peek("new-0")).toBeUndefined();
  });
});
