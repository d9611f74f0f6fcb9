import { describe, expect, it } from "vitest";
import { nationalPhoneNumber } from "../../src/classify/normalize.js";

describe("nationalPhoneNumber", () => {
  it("gives the national significant number of a phone number written with its country code", () => {
    expect(nationalPhoneNumber("pii.phone", "+1 415 555 2671")).toBe("4155552671");
    expect(nationalPhoneNumber("pii.phone", "+44 20 7946 0958")).toBe("2079460958");
    expect(nationalPhoneNumber("pii.phone", "0044 20 7946 0958")).toBe("2079460958");
  });

  it("gives nothing for a number without a country code, another class, or no possible number", () => {
    expect(nationalPhoneNumber("pii.phone", "(415) 555-2671")).toBeUndefined();
    expect(nationalPhoneNumber("financial.card", "+1 415 555 2671")).toBeUndefined();
    expect(nationalPhoneNumber("pii.phone", "+1 23")).toBeUndefined();
  });
});
