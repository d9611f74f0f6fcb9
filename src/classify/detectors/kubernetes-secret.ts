import type { Match } from "../detector.js";
import { isPlaceholder } from "../text.js";

// `kind: Secret` as a document's own kind (quoted or not, any case), not `SopsSecret` or `SecretStore`.
const SECRET_KIND = /^[ \t]*kind:[ \t]*(["']?)secret\1[ \t]*$/im;
// A `data:` or `stringData:` key that opens a block of its own.
const DATA_KEY = /^([ \t]*)(?:data|stringData):[ \t]*$/gm;
// One entry of the block: `name: value` (a value may be quoted, or `|` / `>` opening an indented text).
const ENTRY = /^([ \t]*)([^\s:#][^:]*?):[ \t]*(.*?)[ \t]*$/;
const BLOCK_SCALAR = /^[|>][+-]?$/;
/** Shorter values are names and flags more often than credentials (`YWRtaW4=` is `admin`). */
const MIN_VALUE = 8;

/**
 * Values of a Kubernetes Secret manifest (`kubectl get secret -o yaml`, a chart, a file read): every entry under
 * `data` (base64) or `stringData` is a credential by the manifest's own word, whatever its shape. Each YAML document
 * (`---`) is read on its own, so a Secret's kind never vouches for another document's `data`. Templates
 * (`{{ .Values.password }}`), empty values and placeholders are left out.
 */
export function scanKubernetesSecrets(text: string, out: Match[]): void {
  let documentStart = 0;
  while (documentStart <= text.length) {
    const separator = nextSeparator(text, documentStart);
    const documentEnd = separator < 0 ? text.length : separator;
    scanDocument(text, documentStart, documentEnd, out);
    if (separator < 0) return;
    const lineEnd = text.indexOf("\n", separator);
    documentStart = lineEnd < 0 ? text.length + 1 : lineEnd + 1;
  }
}

/** Where the next line that is `---` (a document separator) starts, or -1. */
function nextSeparator(text: string, from: number): number {
  for (let at = text.indexOf("---", from); at >= 0; at = text.indexOf("---", at + 3)) {
    if (at === 0 || text.charCodeAt(at - 1) === 10) return at;
  }
  return -1;
}

function scanDocument(text: string, start: number, end: number, out: Match[]): void {
  const document = text.slice(start, end);
  if (!SECRET_KIND.test(document)) return;
  DATA_KEY.lastIndex = 0;
  for (let key = DATA_KEY.exec(document); key !== null; key = DATA_KEY.exec(document)) {
    const indent = key[1]!.length;
    let at = key.index + key[0].length + 1;
    while (at < document.length) {
      const lineEnd = endOfLine(document, at);
      // A line's `\r` (CRLF files) is no part of its value.
      const line = document.slice(at, document.charCodeAt(lineEnd - 1) === 13 ? lineEnd - 1 : lineEnd);
      if (line.trim() === "" || line.trimStart().startsWith("#")) {
        at = lineEnd + 1;
        continue;
      }
      const entry = ENTRY.exec(line);
      if (entry === null || entry[1]!.length <= indent) break;
      const raw = entry[3]!;
      if (BLOCK_SCALAR.test(raw)) {
        // The value is the lines indented deeper than the entry.
        const own = entry[1]!.length;
        let valueStart = -1;
        let valueEnd = -1;
        let next = lineEnd + 1;
        while (next < document.length) {
          const nextEnd = endOfLine(document, next);
          const body = document.slice(next, nextEnd);
          const lead = body.length - body.trimStart().length;
          if (body.trim() !== "" && lead <= own) break;
          if (body.trim() !== "") {
            if (valueStart < 0) valueStart = next + lead;
            valueEnd = next + body.trimEnd().length;
          }
          next = nextEnd + 1;
        }
        if (valueStart >= 0) report(document.slice(valueStart, valueEnd), start + valueStart, out);
        at = next;
        continue;
      }
      const quoted = raw.length >= 2 && (raw[0] === '"' || raw[0] === "'") && raw[raw.length - 1] === raw[0];
      const value = quoted ? raw.slice(1, -1) : raw;
      const valueStart = at + line.indexOf(raw, entry[1]!.length + entry[2]!.length) + (quoted ? 1 : 0);
      report(value, start + valueStart, out);
      at = lineEnd + 1;
    }
    // A `data:` key inside this block was read as one of its entries: each line is read once.
    DATA_KEY.lastIndex = Math.max(DATA_KEY.lastIndex, at);
  }
}

function endOfLine(text: string, from: number): number {
  const end = text.indexOf("\n", from);
  return end < 0 ? text.length : end;
}

function report(value: string, start: number, out: Match[]): void {
  if (value.length < MIN_VALUE || isPlaceholder(value)) return;
  out.push({ class: "secret.kubernetes_secret", start, end: start + value.length, detector: "manifest:kubernetes_secret", confidence: 0.9 });
}
