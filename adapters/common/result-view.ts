import { hasDuplicateKeys } from "../../src/index.js";

/**
 * A tool's output as the guard reads it (a JSON value), and the inverse that puts a redacted value back in the
 * output's own form. Tools often return JSON as text: it is parsed so the classifier and the redactor see fields, and
 * a redacted value is serialized again, so the model gets the same shape it would have had.
 */
export interface ResultView {
  readonly value: unknown;
  restore(value: unknown): unknown;
}

export function contentView(content: unknown): ResultView {
  if (typeof content !== "string") return { value: content, restore: identity };
  const parsed = parseJsonText(content);
  return parsed === NOT_JSON ? { value: content, restore: asText } : { value: parsed, restore: asJsonText };
}

const NOT_JSON = Symbol("not-json");

/**
 * The value of text that holds a JSON object or array; other text (including bare JSON scalars) stays text, and so
 * does JSON that names a key twice in one object: its parsed value lacks the earlier values, which the original text
 * (delivered on allow) still holds. As text, the classifier reports such a document as unknown data.
 */
function parseJsonText(text: string): unknown {
  let i = 0;
  while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 10 || text.charCodeAt(i) === 13 || text.charCodeAt(i) === 9)) i++;
  const first = text.charCodeAt(i);
  if (first !== 123 && first !== 91) return NOT_JSON; // { [
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
  return hasDuplicateKeys(text, value) ? NOT_JSON : value;
}

function identity(value: unknown): unknown {
  return value;
}

function asText(value: unknown): unknown {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function asJsonText(value: unknown): unknown {
  return JSON.stringify(value);
}
