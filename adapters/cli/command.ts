import { GuardError } from "../../src/errors.js";

/**
 * Where a command writes. A stream's `write` returns false when its buffer is full; commands that write a lot wait for
 * `drain` where the stream has it (`process.stdout` does), so output piped to a slow reader does not pile up in memory.
 */
export interface CliOutput {
  write(chunk: string): unknown;
  once?(event: "drain" | "close", listener: () => void): unknown;
  on?(event: "error", listener: (error: Error) => void): unknown;
  off?: {
    (event: "error", listener: (error: Error) => void): unknown;
    (event: "drain" | "close", listener: () => void): unknown;
  };
  /** True on a terminal: progress lines go there, never into a pipe or a file. */
  readonly isTTY?: boolean;
}

/** Where a command reads and writes; injected so tests run commands in-process. */
export interface CliIO {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  readonly stdin: NodeJS.ReadableStream;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, denied: 1, invalidInput: 2, failed: 3 } as const;

export interface FlagSpec {
  readonly type: "string" | "boolean" | "list";
  readonly description: string;
  /** Shown in help as `--name VALUE`. */
  readonly value?: string;
  readonly short?: string;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

export type ParsedFlags<S extends FlagSpecs> = {
  [K in keyof S]?: S[K]["type"] extends "boolean" ? boolean : S[K]["type"] extends "list" ? string[] : string;
};

export interface ParsedArgs<S extends FlagSpecs> {
  readonly flags: ParsedFlags<S>;
  readonly positionals: string[];
  /** Everything after a bare `--`. */
  readonly rest: string[];
}

/** A subcommand of `purpose-guard`. `run` returns the exit code; it throws only for usage errors. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Full help text: usage line, description, flags, examples. */
  readonly help: string;
  run(argv: readonly string[], io: CliIO): Promise<number>;
}

/**
 * Parses `--flag value`, `--flag=value`, `-f value`, repeated list flags and a `--` separator. Unknown flags and
 * missing values are usage errors, so a typo never silently changes what a gate checks.
 */
export function parseArgs<S extends FlagSpecs>(argv: readonly string[], specs: S): ParsedArgs<S> {
  const flags: Record<string, string | boolean | string[]> = {};
  const positionals: string[] = [];
  const byShort = new Map(Object.entries(specs).flatMap(([name, spec]) => (spec.short ? [[spec.short, name]] : [])));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") return { flags: flags as ParsedFlags<S>, positionals, rest: argv.slice(i + 1) };
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const raw = arg.startsWith("--") ? arg.slice(2, eq === -1 ? undefined : eq) : byShort.get(arg.slice(1)) ?? arg;
    const spec = specs[raw];
    if (!spec) throw usageError(`unknown flag \`${arg}\``, Object.keys(specs));
    if (spec.type === "boolean") {
      if (eq !== -1) throw usageError(`flag \`--${raw}\` takes no value`);
      flags[raw] = true;
      continue;
    }
    const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq === -1 && value.startsWith("--"))) {
      throw usageError(`flag \`--${raw}\` needs a value${spec.value ? ` (${spec.value})` : ""}`);
    }
    if (spec.type === "list") flags[raw] = [...((flags[raw] as string[] | undefined) ?? []), value];
    else if (flags[raw] !== undefined) throw usageError(`flag \`--${raw}\` is given twice`);
    else flags[raw] = value;
  }
  return { flags: flags as ParsedFlags<S>, positionals, rest: [] };
}

function usageError(message: string, known?: readonly string[]): GuardError {
  const fix = known ? `known flags: ${known.map((name) => `--${name}`).join(", ")}` : "see --help";
  return new GuardError("USAGE", message, { issues: [{ message, fix }] });
}

/** Renders a flags table for help texts. */
export function describeFlags(specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const left = `${spec.short ? `-${spec.short}, ` : ""}--${name}${spec.value ? ` ${spec.value}` : ""}`;
    return [left, spec.description] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, text]) => `  ${left.padEnd(width)}  ${text}`).join("\n");
}
