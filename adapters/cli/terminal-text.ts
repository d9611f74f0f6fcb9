/**
 * Text from an audit log is written by whoever called a tool: a tool name, session id or trace id can carry terminal
 * escape sequences (clear the screen, set the title, fake a green ALLOW) or reorder what follows it (bidi controls).
 * Everything the CLI prints from a record passes through here first.
 */

/** C0 and C1 controls, DEL, line and paragraph separators, and the bidirectional formatting characters. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Shows each unprintable character as an escape (`\x1b`, `\u202e`), so a cell is one line of inert text. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/**
 * What JSON.stringify leaves raw: it escapes C0 controls inside strings (a raw one is the indentation's newline), but
 * not DEL, C1 controls, separators or bidi controls.
 */
const UNESCAPED_BY_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON text with the characters JSON.stringify leaves raw written as `\uXXXX` escapes: the same JSON value, safe on a
 * terminal. They can only occur inside strings, where the escape is valid.
 */
export function printableJson(json: string): string {
  return json.replace(UNESCAPED_BY_JSON, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
