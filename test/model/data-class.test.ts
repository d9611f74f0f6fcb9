import { describe, expect, it } from "vitest";
import { classesOutside } from "../../src/model/data-class.js";

describe("classesOutside", () => {
  it("lists the classes no scope entry covers, each once, in first-seen order", () => {
    expect(classesOutside(["pii", "tenant:acme"], ["pii.email", "secret.github", "tenant:acme", "tenant:other", "secret.github"])).toEqual(["secret.github", "tenant:other"]);
  });

  // A value can carry one `tenant:<id>` class per record: a list searched per class took seconds for 20,000.
  it("lists 200,000 distinct classes in linear time", { timeout: 20_000 }, () => {
    const found = Array.from({ length: 200_000 }, (_, i) => `tenant:t${i}`);
    expect(classesOutside(["pii"], found)).toHaveLength(200_000);
  });
});
