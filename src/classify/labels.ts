/**
 * Values that a line of text labels, as tools print records: `Diagnosis: asthma`, `  - Medications: metformin`,
 * `**Allergies:** penicillin`, and a label over a list (`Medications:` and then `- metformin` lines). Families whose
 * data has no shape of its own (health) find it in text this way, as they find it under a JSON key.
 *
 * Only a label that opens its line counts, so prose (`the diagnosis: unclear`) and JSON text (`"diagnosis": …`, read
 * by the JSON walk) do not. Parsed by hand, one pass over the lines: linear in the text.
 */

/** Longest label read, in characters: labels are a few words. */
const MAX_LABEL = 40;
/** Deepest indentation of a label (YAML nests by two or four spaces). */
const MAX_INDENT = 16;

/**
 * Calls `visit(kind, start, end)` for the value of each line whose label `kindOf` names (`kindOf` returns undefined
 * for labels it does not care about). `[start, end)` is the value's place in `text`, trimmed.
 */
export function labelledValues<T>(text: string, kindOf: (label: string) => T | undefined, visit: (kind: T, start: number, end: number) => void): void {
  for (let lineStart = 0; lineStart < text.length; ) {
    const lineEnd = endOfLine(text, lineStart);
    const label = labelAt(text, lineStart, lineEnd);
    let next = lineEnd + 1;
    if (label !== undefined) {
      const kind = kindOf(text.slice(label.start, label.end));
      if (kind !== undefined) {
        const [start, end] = trimmed(text, label.valueStart, lineEnd);
        if (end > start) visit(kind, start, end);
        else {
          // `Medications:` over a list: each following bulleted line is a value, up to the first line that is not.
          while (next < text.length) {
            const itemEnd = endOfLine(text, next);
            const item = bulletEnd(text, next, itemEnd);
            if (item < 0) break;
            const [from, to] = trimmed(text, item, itemEnd);
            if (to > from) visit(kind, from, to);
            next = itemEnd + 1;
          }
        }
      }
    }
    lineStart = next;
  }
}

function endOfLine(text: string, from: number): number {
  const end = text.indexOf("\n", from);
  return end < 0 ? text.length : end;
}

/** The label of the line `[start, end)` and where its value starts, or undefined when the line opens with none. */
function labelAt(text: string, start: number, end: number): { start: number; end: number; valueStart: number } | undefined {
  let p = skipSpaces(text, start, Math.min(end, start + MAX_INDENT));
  const bullet = bulletEnd(text, p, end);
  if (bullet >= 0) p = bullet;
  const bold = text.startsWith("**", p) ? 2 : 0;
  p += bold;
  const labelStart = p;
  if (!isLetter(text.charCodeAt(p))) return undefined;
  while (p < end && p - labelStart <= MAX_LABEL && isLabelCode(text.charCodeAt(p))) p++;
  let labelEnd = p;
  while (labelEnd > labelStart && text.charCodeAt(labelEnd - 1) === 32) labelEnd--;
  // A label of several words is capitalised (`Current medications`); in lower case they are prose (`see the
  // diagnosis: below`). One word (`diagnosis: asthma`) is a YAML key in any case.
  const code = text.charCodeAt(labelStart);
  if ((code < 65 || code > 90) && text.slice(labelStart, labelEnd).includes(" ")) return undefined;
  // `**Label:**` or `**Label**:`
  if (bold && text.startsWith("**", p)) p += 2;
  if (text.charCodeAt(p) !== 58 /* : */) return undefined;
  p++;
  if (bold && text.startsWith("**", p)) p += 2;
  // `Label:value` with no space is a URL scheme, a time or code more often than a label.
  if (p < end && text.charCodeAt(p) !== 32 && text.charCodeAt(p) !== 9 && text.charCodeAt(p) !== 13) return undefined;
  return { start: labelStart, end: labelEnd, valueStart: p };
}

/** Where the text after a bullet (`-`, `*`, `•`, `+`, `1.`, `1)`) and its space starts, or -1 when `at` opens none. */
function bulletEnd(text: string, at: number, end: number): number {
  let p = skipSpaces(text, at, Math.min(end, at + MAX_INDENT));
  const code = text.charCodeAt(p);
  if (code === 45 || code === 42 || code === 8226 || code === 43) p++;
  else {
    const digits = p;
    while (p < end && p - digits < 3 && text.charCodeAt(p) >= 48 && text.charCodeAt(p) <= 57) p++;
    if (p === digits || (text.charCodeAt(p) !== 46 && text.charCodeAt(p) !== 41)) return -1;
    p++;
  }
  // `**bold**` is no bullet: a bullet is followed by a space.
  return text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9 ? p + 1 : -1;
}

function skipSpaces(text: string, from: number, limit: number): number {
  let p = from;
  while (p < limit && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9)) p++;
  return p;
}

function trimmed(text: string, start: number, end: number): [number, number] {
  let s = start;
  let e = end;
  while (s < e && isSpaceCode(text.charCodeAt(s))) s++;
  while (e > s && isSpaceCode(text.charCodeAt(e - 1))) e--;
  return [s, e];
}

const isSpaceCode = (c: number) => c === 32 || c === 9 || c === 13 || c === 10;
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
/** Letters, digits, spaces, `_ - / #` and parentheses: `Current medications`, `Allergies (known)`, `Diagnosis #2`. */
const isLabelCode = (c: number) => isLetter(c) || (c >= 48 && c <= 57) || c === 32 || c === 95 || c === 45 || c === 47 || c === 40 || c === 41 || c === 35;
