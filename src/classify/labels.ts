/**
 * Values that text labels, as tools print records: `Diagnosis: asthma`, `  - Medications: metformin`,
 * `**Allergies:** penicillin`, a label over a list (`Medications:` and then `- metformin` lines), fields of one line
 * (`Patient: Jane Doe; Diagnosis: asthma | DOB: 1990-01-01`) and Markdown tables, by their header
 * (`| Patient | Diagnosis |`) or as label and value rows (`| Diagnosis | asthma |`). Families whose data has no shape
 * of its own (health) find it in text this way, as they find it under a JSON key.
 *
 * A label opens its line or follows a field separator (`;`, `|`, a tab, `•`, `·`), so prose (`the diagnosis: unclear`)
 * and JSON text (`"diagnosis": …`, read by the JSON walk) do not count. A value runs to the next labelled field or the
 * end of its line: `Medications: metformin; lisinopril` is one value. Parsed by hand, one pass over the lines: linear
 * in the text.
 */

/** Longest label read, in characters: labels are a few words. */
const MAX_LABEL = 40;
/** Deepest indentation of a label (YAML nests by two or four spaces). */
const MAX_INDENT = 16;
/** Most columns of a table whose header is read: record tables are narrow; wider ones are data dumps. */
const MAX_COLUMNS = 64;

export interface LabelOptions {
  /**
   * Also read CSV tables (comma, tab or semicolon separated) by their header's columns: `id,name,ssn` over its rows.
   * Off by default: a family turns it on where a bare value in a column is worth reading (an SSN column).
   */
  readonly csv?: boolean;
}

/** What labels say, and where their values are reported. */
interface Reader<T> {
  readonly kindOf: (label: string) => T | undefined;
  readonly visit: (kind: T, start: number, end: number) => void;
}

/**
 * Calls `visit(kind, start, end)` for each value whose label `kindOf` names (`kindOf` returns undefined for labels it
 * does not care about). `[start, end)` is the value's place in `text`, trimmed.
 */
export function labelledValues<T>(
  text: string,
  kindOf: (label: string) => T | undefined,
  visit: (kind: T, start: number, end: number) => void,
  options: LabelOptions = {},
): void {
  const reader: Reader<T> = { kindOf, visit };
  // The table being read, or undefined outside one.
  let table: Table<T> | undefined;
  for (let lineStart = 0; lineStart < text.length; ) {
    const lineEnd = endOfLine(text, lineStart);
    let next = lineEnd + 1;
    const cells = tableCells(text, lineStart, lineEnd);
    if (cells === undefined) {
      table = undefined;
      const csv = options.csv === true ? readCsv(text, lineStart, lineEnd, reader) : -1;
      next = csv >= 0 ? csv : readFields(text, lineStart, lineEnd, reader);
    } else if (table === undefined && next < text.length && isDelimiterRow(text, next, endOfLine(text, next))) {
      table = tableOf(text, cells, reader);
      next = endOfLine(text, next) + 1;
    } else {
      table ??= { columns: [], pairs: true };
      readRow(text, cells, table, reader);
    }
    lineStart = next;
  }
}

/**
 * Reads the labelled fields of the line `[start, end)` and returns where the next line to read starts (past the list
 * under a label with no value on its line).
 */
function readFields<T>(text: string, start: number, end: number, reader: Reader<T>): number {
  let label = labelAt(text, start, end);
  let kind = label === undefined ? undefined : reader.kindOf(text.slice(label.start, label.end));
  for (let p = label === undefined ? start : label.valueStart; p < end; p++) {
    if (!isSeparator(text.charCodeAt(p))) continue;
    const following = labelAt(text, p + 1, end);
    if (following === undefined) continue;
    // The separator ends the value before it: another field starts.
    if (label !== undefined && kind !== undefined) visitTrimmed(text, label.valueStart, p, kind, reader);
    label = following;
    kind = reader.kindOf(text.slice(label.start, label.end));
    p = label.valueStart - 1;
  }
  if (label === undefined || kind === undefined) return end + 1;
  const [from, to] = trimmed(text, label.valueStart, end);
  if (to > from) {
    reader.visit(kind, from, to);
    return end + 1;
  }
  // `Medications:` over a list: each following bulleted line is a value, up to the first line that is not.
  let next = end + 1;
  while (next < text.length) {
    const itemEnd = endOfLine(text, next);
    const item = bulletEnd(text, next, itemEnd);
    if (item < 0) break;
    visitTrimmed(text, item, itemEnd, kind, reader);
    next = itemEnd + 1;
  }
  return next;
}

function visitTrimmed<T>(text: string, start: number, end: number, kind: T, reader: Reader<T>): void {
  const [from, to] = trimmed(text, start, end);
  if (to > from) reader.visit(kind, from, to);
}

/** `;`, `|`, tab, `•` and `·`: what separates the fields of one line. */
const isSeparator = (c: number) => c === 59 || c === 124 || c === 9 || c === 8226 || c === 183;

/**
 * The places of the cells of a Markdown table row (`| a | b |`, the outer pipes optional at the end) as start and end
 * pairs, or undefined when the line `[start, end)` is not one.
 */
function tableCells(text: string, start: number, end: number): number[] | undefined {
  const p = skipSpaces(text, start, Math.min(end, start + MAX_INDENT));
  if (text.charCodeAt(p) !== 124) return undefined;
  const cells: number[] = [];
  let cellStart = p + 1;
  for (let q = cellStart; q <= end; q++) {
    if (q < end && (text.charCodeAt(q) !== 124 || text.charCodeAt(q - 1) === 92 /* \| */)) continue;
    if (q < end || !isBlank(text, cellStart, end)) cells.push(cellStart, q);
    cellStart = q + 1;
  }
  return cells;
}

/** `|---|:--:|`: the row under a table's header. */
function isDelimiterRow(text: string, start: number, end: number): boolean {
  const p = skipSpaces(text, start, Math.min(end, start + MAX_INDENT));
  if (text.charCodeAt(p) !== 124) return false;
  let dashes = false;
  for (let q = p + 1; q < end; q++) {
    const c = text.charCodeAt(q);
    if (c === 45) dashes = true;
    else if (c !== 124 && c !== 58 && c !== 32 && c !== 9 && c !== 13) return false;
  }
  return dashes;
}

/** What a table's header says: the kinds of its columns, and whether its rows of two cells are labels and values. */
interface Table<T> {
  readonly columns: readonly (T | undefined)[];
  readonly pairs: boolean;
}

/**
 * Second columns of tables that document fields (`| Field | Description |`) rather than list a record's values: their
 * rows are names and what the names mean (`| medications | List of medications |`).
 */
const DOCUMENTING = /^(?:descriptions?|type|types|meaning|notes?|explanation|purpose|examples?|samples?|default|default value|format|comments?|usage|definition|details?|required|optional|mandatory|nullable|constraints?|validation|since|deprecated)$/i;

function tableOf<T>(text: string, cells: readonly number[], reader: Reader<T>): Table<T> {
  if (cells.length > 2 * MAX_COLUMNS) return { columns: [], pairs: false };
  const columns: (T | undefined)[] = [];
  for (let i = 0; i < cells.length; i += 2) {
    const [from, to] = unbold(text, cells[i]!, cells[i + 1]!);
    columns.push(to - from <= MAX_LABEL && to > from ? reader.kindOf(text.slice(from, to)) : undefined);
  }
  let pairs = cells.length === 4;
  if (pairs) {
    const [from, to] = unbold(text, cells[2]!, cells[3]!);
    pairs = !DOCUMENTING.test(text.slice(from, to));
  }
  return { columns, pairs };
}

/**
 * A row of a table: each cell under a labelled column is a value; in a table of two columns whose header labels
 * nothing (`| Field | Value |`, or none) and does not document fields, a row is a label and its value
 * (`| **Diagnosis** | asthma |`).
 */
function readRow<T>(text: string, cells: readonly number[], table: Table<T>, reader: Reader<T>): void {
  const { columns } = table;
  let labelled = false;
  for (let i = 0; i < columns.length && 2 * i < cells.length; i++) {
    const kind = columns[i];
    if (kind === undefined) continue;
    labelled = true;
    const [from, to] = unbold(text, cells[2 * i]!, cells[2 * i + 1]!);
    if (to > from) reader.visit(kind, from, to);
  }
  if (labelled || !table.pairs || cells.length !== 4) return;
  const [from, to] = unbold(text, cells[0]!, cells[1]!);
  if (to - from > MAX_LABEL || to === from || !isLetter(text.charCodeAt(from))) return;
  const kind = reader.kindOf(text.slice(from, to));
  if (kind === undefined) return;
  const [valueFrom, valueTo] = unbold(text, cells[2]!, cells[3]!);
  if (valueTo > valueFrom) reader.visit(kind, valueFrom, valueTo);
}

/** A cell's text, trimmed and without `**bold**` marks. */
function unbold(text: string, start: number, end: number): [number, number] {
  let [from, to] = trimmed(text, start, end);
  if (to - from > 4 && text.startsWith("**", from) && text.startsWith("**", to - 2)) [from, to] = trimmed(text, from + 2, to - 2);
  return [from, to];
}

function isBlank(text: string, start: number, end: number): boolean {
  for (let p = start; p < end; p++) if (!isSpaceCode(text.charCodeAt(p))) return false;
  return true;
}

/** CSV delimiters, in the order a header is tried: tab, comma, semicolon. */
const CSV_DELIMITERS = [9, 44, 59];

/**
 * Reads a CSV table whose header is the line `[start, end)`: a line of two or more labels (the columns' names) and at
 * least one following line of as many cells. Each cell under a column `kindOf` names is a value. Returns where the
 * next line to read starts (after the table's last row), or -1 when the line opens no table with a named column.
 */
function readCsv<T>(text: string, start: number, end: number, reader: Reader<T>): number {
  if (end - start > MAX_COLUMNS * (MAX_LABEL + 3)) return -1;
  for (const delimiter of CSV_DELIMITERS) {
    if (!holds(text, start, end, delimiter)) continue;
    const header = csvCells(text, start, end, delimiter);
    if (header === undefined || header.length < 4 || header.length > 2 * MAX_COLUMNS) continue;
    const columns: (T | undefined)[] = [];
    let named = false;
    for (let i = 0; i < header.length; i += 2) {
      const [from, to] = header[i + 1]! - header[i]! <= MAX_LABEL ? trimmed(text, header[i]!, header[i + 1]!) : [0, 0];
      if (to === from || !isLetter(text.charCodeAt(from))) return -1;
      for (let p = from; p < to; p++) if (!isLabelCode(text.charCodeAt(p))) return -1;
      const kind = reader.kindOf(text.slice(from, to));
      named ||= kind !== undefined;
      columns.push(kind);
    }
    if (!named) return -1;
    let next = end + 1;
    let rows = 0;
    while (next < text.length) {
      const rowEnd = endOfLine(text, next);
      const cells = csvCells(text, next, rowEnd, delimiter);
      if (cells === undefined || cells.length !== header.length) break;
      for (let i = 0; i < columns.length; i++) {
        const kind = columns[i];
        if (kind !== undefined) visitTrimmed(text, cells[2 * i]!, cells[2 * i + 1]!, kind, reader);
      }
      rows++;
      next = rowEnd + 1;
    }
    return rows > 0 ? next : -1;
  }
  return -1;
}

/** Whether `[start, end)` holds the code unit `c` (a search bounded by the line, unlike `indexOf`). */
function holds(text: string, start: number, end: number, c: number): boolean {
  for (let p = start; p < end; p++) if (text.charCodeAt(p) === c) return true;
  return false;
}

/**
 * The cells of the CSV line `[start, end)` as start and end pairs (a quoted cell without its quotes), or undefined
 * when a quoted cell does not close on the line or text follows its closing quote.
 */
function csvCells(text: string, start: number, end: number, delimiter: number): number[] | undefined {
  const cells: number[] = [];
  let p = start;
  for (;;) {
    if (text.charCodeAt(p) === 34 /* " */) {
      let q = p + 1;
      for (; q < end; q++) {
        if (text.charCodeAt(q) !== 34) continue;
        if (text.charCodeAt(q + 1) === 34) q++;
        else break;
      }
      if (q >= end) return undefined;
      cells.push(p + 1, q);
      p = q + 1;
      if (p < end && text.charCodeAt(p) !== 13 && text.charCodeAt(p) !== delimiter) return undefined;
    } else {
      let q = p;
      while (q < end && text.charCodeAt(q) !== delimiter) q++;
      cells.push(p, q);
      p = q;
    }
    if (p >= end || text.charCodeAt(p) !== delimiter) return cells;
    p++;
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
