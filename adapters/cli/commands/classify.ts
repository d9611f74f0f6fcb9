import { open, readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { Classifier } from "../../../src/classify/classifier.js";
import { createClassifier, DETECTOR_FAMILIES, type ClassifierOptions, type DetectorFamily } from "../../../src/classify/classify.js";
import { GuardError } from "../../../src/errors.js";
import type { Finding } from "../../../src/model/finding.js";
import { stringAt } from "../../../src/model/pointer.js";
import { describeFlags, EXIT, parseArgs, type CliIO, type Command } from "../command.js";
import { lineWriter } from "../line-writer.js";

const FLAGS = {
  json: { type: "boolean", description: "print the findings as one JSON array of {class, pointer, start, end, detector, confidence}" },
  jsonl: { type: "boolean", description: "read one JSON value per line; write one JSON array of findings per line, as the lines arrive (any input size)" },
  disable: { type: "list", value: "FAMILY", description: `leave a detector family out (repeatable): ${DETECTOR_FAMILIES.join(", ")}` },
  "min-confidence": { type: "string", value: "N", description: "drop findings below this confidence, 0..1 (default 0.5)" },
  "tenant-pattern": { type: "string", value: "REGEX", description: "how tenant ids look; group 1 (or `id`) becomes the class tenant:<id>" },
  "show-values": { type: "boolean", description: "print the found values in human output (they are masked by default)" },
} as const;

export const classifyCommand: Command = {
  name: "classify",
  summary: "print the data classes found in a JSON or text input (for tuning data scopes)",
  help: `Usage: purpose-guard classify [flags] [FILE|-]

Runs the guard's classifier over FILE (or standard input, with - or no FILE) and prints every finding: the data
class, the JSON pointer of the string that holds it, the span in that string, the detector and its confidence.
Input that parses as JSON is walked key by key (a key such as "ssn" or "password" classifies its value); anything
else is classified as one text. Strings holding JSON, base64, hex or URL-encoded text are decoded and scanned too.

Flags:
${describeFlags(FLAGS)}

Exit codes: 0 done (with or without findings), 2 invalid input (unreadable file, a --jsonl line that is not JSON).

Examples:
  purpose-guard classify tool-result.json
  echo '{"customer": {"email": "jane@example.com", "ssn": "219-09-9991"}}' | purpose-guard classify --json
  purpose-guard classify --jsonl --disable names calls.jsonl > findings.jsonl`,
  async run(argv: readonly string[], io: CliIO): Promise<number> {
    const { flags, positionals } = parseArgs(argv, FLAGS);
    if (positionals.length > 1) throw new GuardError("USAGE", "classify takes one input", { issues: [{ message: `got ${positionals.length} inputs`, fix: "pass one FILE, or - for standard input" }] });
    if (flags.json && flags.jsonl) throw new GuardError("USAGE", "--json and --jsonl exclude each other", { issues: [{ message: "--jsonl already writes JSON, one array per input line", fix: "pass one of them" }] });
    const classifier = createClassifier(classifierOptions(flags));
    const source = positionals[0] ?? "-";
    const name = source === "-" ? "<stdin>" : source;
    if (flags.jsonl) {
      const input = source === "-" ? io.stdin : await openInput(resolve(io.cwd, source));
      try {
        await classifyLines(input, name, classifier, io);
      } finally {
        // A file stream stopped at a bad line still holds its descriptor: release it (standard input is not ours).
        if (input !== io.stdin) (input as Readable).destroy();
      }
      return EXIT.ok;
    }
    const text = source === "-" ? await readStream(io.stdin) : await readInput(resolve(io.cwd, source));

    const value = parseOrText(text);
    const findings = classifier.classify(value);
    if (flags.json) {
      io.stdout.write(`${JSON.stringify(findings.map(toJson), null, 2)}\n`);
      return EXIT.ok;
    }
    io.stdout.write(human(findings, value, flags["show-values"] === true, name));
    return EXIT.ok;
  },
};

function classifierOptions(flags: { disable?: string[]; "min-confidence"?: string; "tenant-pattern"?: string }): ClassifierOptions {
  const known = new Set<string>(DETECTOR_FAMILIES);
  for (const family of flags.disable ?? []) {
    if (!known.has(family)) throw new GuardError("USAGE", `unknown detector family \`${family}\``, { issues: [{ message: `--disable ${family}`, fix: `use one of ${DETECTOR_FAMILIES.join(", ")}` }] });
  }
  let minConfidence: number | undefined;
  if (flags["min-confidence"] !== undefined) {
    minConfidence = Number(flags["min-confidence"]);
    if (!(minConfidence >= 0 && minConfidence <= 1)) throw new GuardError("USAGE", `--min-confidence \`${flags["min-confidence"]}\` is not a number from 0 to 1`, { issues: [{ message: "a confidence is between 0 and 1", fix: "e.g. --min-confidence 0.8" }] });
  }
  return {
    ...(flags.disable ? { disable: flags.disable as DetectorFamily[] } : {}),
    ...(minConfidence !== undefined ? { minConfidence } : {}),
    ...(flags["tenant-pattern"] ? { tenants: { pattern: flags["tenant-pattern"] } } : {}),
  };
}

async function readInput(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new GuardError("USAGE", `cannot read \`${path}\`${code ? ` (${code})` : ""}`, { issues: [{ file: path, message: (error as Error).message, fix: "check the path, or pass - to read standard input" }] });
  }
}

/** Opens FILE for streaming, failing the way `readInput` does when it cannot be read. */
async function openInput(path: string): Promise<NodeJS.ReadableStream> {
  try {
    const handle = await open(path, "r");
    return handle.createReadStream({ encoding: "utf8" });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new GuardError("USAGE", `cannot read \`${path}\`${code ? ` (${code})` : ""}`, { issues: [{ file: path, message: (error as Error).message, fix: "check the path, or pass - to read standard input" }] });
  }
}

/**
 * `--jsonl`: one line in, one findings array out, as the lines arrive. Memory holds one line at a time, however long
 * the input; output waits for a slow reader; a line that is not JSON stops the run (exit 2) after the arrays of the
 * lines before it. On a terminal, stderr shows how far it got once a second.
 */
async function classifyLines(input: NodeJS.ReadableStream, name: string, classifier: Classifier, io: CliIO): Promise<void> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  const out = lineWriter(io.stdout, "the findings");
  const progress = io.stderr.isTTY ? progressLine(io.stderr) : undefined;
  let number = 0;
  let bytes = 0;
  try {
    for await (const line of lines) {
      number++;
      bytes += Buffer.byteLength(line) + 1;
      let findings: readonly Finding[] = [];
      if (line.trim() !== "") {
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch (error) {
          throw new GuardError("USAGE", `${name}:${number} is not JSON`, {
            issues: [{ file: name, line: number, message: (error as Error).message, fix: "write one JSON value per line (a JSON string for plain text), or drop --jsonl" }],
          });
        }
        findings = classifier.classify(value);
      }
      // The reader went away (`| head`): nothing more to say.
      if (!(await out.write(`${JSON.stringify(findings.map(toJson))}\n`))) break;
      progress?.update(number, bytes);
    }
  } catch (error) {
    if (error instanceof GuardError) throw error;
    throw new GuardError("USAGE", `cannot read ${name}: ${(error as Error).message}`, { issues: [{ file: name, line: number + 1, message: (error as Error).message, fix: "pass a readable file of JSON lines, or - for standard input" }] });
  } finally {
    lines.close();
    out.close();
    progress?.done(number, bytes);
  }
}

/** `classify: 120000 lines, 48.1 MB`, rewritten in place at most once a second, and once more at the end. */
function progressLine(err: CliIO["stderr"]) {
  let last = Date.now();
  let shown = false;
  const text = (lines: number, bytes: number) => `\rclassify: ${lines} lines, ${(bytes / 1e6).toFixed(1)} MB`;
  return {
    update(lines: number, bytes: number) {
      const now = Date.now();
      if (now - last < 1000) return;
      last = now;
      shown = true;
      err.write(text(lines, bytes));
    },
    done(lines: number, bytes: number) {
      if (shown) err.write(`${text(lines, bytes)}\n`);
    },
  };
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString("utf8");
}

/** JSON when the whole input is JSON; otherwise the text itself (a log line, an email, a page). */
function parseOrText(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === "") return "";
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return text;
  }
}

function toJson(finding: Finding): Record<string, unknown> {
  return {
    class: finding.class,
    pointer: finding.pointer,
    start: finding.start,
    end: finding.end,
    detector: finding.detector,
    confidence: Math.round(finding.confidence * 100) / 100,
    ...(finding.encoding ? { encoding: finding.encoding } : {}),
    ...(finding.inKey ? { inKey: true } : {}),
  };
}

function human(findings: readonly Finding[], value: unknown, showValues: boolean, name: string): string {
  if (findings.length === 0) return `${name}: no findings\n`;
  const rows = findings.map((f) => {
    const where = `${f.pointer || "/"}${f.inKey ? " (key)" : ""}`;
    const span = `${f.start}-${f.end}${f.encoding ? ` in ${f.encoding}` : ""}`;
    const text = f.encoding && f.encoding !== "json" ? undefined : stringAt(value, f.pointer, f.inKey === true)?.slice(f.start, f.end);
    const shown = text === undefined ? "" : showValues ? JSON.stringify(text) : JSON.stringify(preview(text));
    return [f.class, where, span, f.detector, f.confidence.toFixed(2), shown] as const;
  });
  const header = ["CLASS", "POINTER", "SPAN", "DETECTOR", "CONF", showValues ? "VALUE" : "VALUE (masked)"] as const;
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd();
  const classes = [...new Set(findings.map((f) => f.class))];
  return `${[line(header), ...rows.map(line)].join("\n")}\n\n${name}: ${findings.length} finding${findings.length === 1 ? "" : "s"}, classes: ${classes.join(", ")}\n`;
}

/** The first and last characters, the rest starred: enough to recognise a value, not to copy it. */
function preview(text: string): string {
  const chars = [...text];
  if (chars.length <= 4) return "*".repeat(chars.length);
  const keep = Math.min(2, Math.floor(chars.length / 6));
  return `${chars.slice(0, keep).join("")}${"*".repeat(chars.length - 2 * keep)}${chars.slice(chars.length - keep).join("")}`;
}

