import { describe, expect, it } from "vitest";
import { contentView } from "../../../adapters/common/result-view.js";

describe("contentView", () => {
  it("gives the guard the parsed value of JSON text, and puts a redacted value back as JSON text", () => {
    const view = contentView('{"id": "c-1", "ssn": "219-09-9991"}');
    expect(view.value).toEqual({ id: "c-1", ssn: "219-09-9991" });
    expect(view.restore({ id: "c-1", ssn: "[REDACTED:pii.ssn]" })).toBe('{"id":"c-1","ssn":"[REDACTED:pii.ssn]"}');
  });

  // The parsed value lacked the first `ssn`, the guard allowed it, and the adapters delivered the original text.
  it("keeps JSON text that names a key twice as text, so the guard reads what is delivered", () => {
    const text = '{"id":"c-1","ssn":"219-09-9991","ssn":"n/a"}';
    expect(contentView(text).value).toBe(text);
    expect(contentView('[{"a":1},{"a":2}]').value).toEqual([{ a: 1 }, { a: 2 }]);
  });
});
