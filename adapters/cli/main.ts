#!/usr/bin/env node
import { isGuardError } from "../../src/errors.js";
import { EXIT, type CliIO, type Command } from "./command.js";
import { COMMANDS } from "./commands/index.js";

const HELP_FLAGS = new Set(["-h", "--help", "help"]);

export function usage(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((command) => command.name.length), 4);
  return [
    "purpose-guard: declare an agent's purpose, enforce it on every tool call, watch for drift",
    "",
    "Usage: purpose-guard <command> [flags]",
    "",
    "Commands:",
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    "",
    "Run `purpose-guard <command> --help` for a command's flags and examples.",
  ].join("\n");
}

/** Runs one command line and returns its exit code; usage errors print help hints and return 2. */
export async function main(argv: readonly string[], io: CliIO, commands: readonly Command[] = COMMANDS): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || HELP_FLAGS.has(name)) {
    io.stdout.write(`${usage(commands)}\n`);
    return name === undefined ? EXIT.invalidInput : EXIT.ok;
  }
  if (name === "--version") {
    io.stdout.write(`${await packageVersion()}\n`);
    return EXIT.ok;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr.write(`purpose-guard: unknown command \`${name}\`\n\n${usage(commands)}\n`);
    return EXIT.invalidInput;
  }
  if (rest.some((arg) => arg === "--help" || arg === "-h") && !rest.includes("--")) {
    io.stdout.write(`${command.help}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (isGuardError(error)) {
      io.stderr.write(`purpose-guard ${name}: ${error.describe()}\n`);
      if (error.code === "USAGE") io.stderr.write(`Run \`purpose-guard ${name} --help\` for usage.\n`);
      return error.code === "USAGE" || error.code.startsWith("DECLARATION") || error.code.startsWith("POLICY") ||
        error.code === "CONFIG_INVALID" || error.code === "KEY_INVALID"
        ? EXIT.invalidInput
        : EXIT.failed;
    }
    io.stderr.write(`purpose-guard ${name}: unexpected error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    return EXIT.failed;
  }
}

async function packageVersion(): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  const url = new URL("../../package.json", import.meta.url);
  const text = await readFile(url, "utf8").catch(() => readFile(new URL("../../../package.json", import.meta.url), "utf8"));
  return (JSON.parse(text) as { version: string }).version;
}

// npm links the bin through a symlink, so compare real paths.
const { realpathSync } = await import("node:fs");
const { pathToFileURL } = await import("node:url");
const isEntry = process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (isEntry) {
  // A reader that leaves early (`purpose-guard audit query --jsonl ... | head`) ends the command quietly, as it would
  // any Unix tool. Not the proxy's: over stdio, stdout is its protocol channel, and its transport sees the client go.
  if (process.argv[2] !== "proxy") {
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") process.stderr.write(`purpose-guard: OUTPUT_FAILED: cannot write the output: ${error.message}\n`);
      process.exit(error.code === "EPIPE" ? EXIT.ok : EXIT.failed);
    });
  }
  const io: CliIO = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd(), env: process.env };
  process.exitCode = await main(process.argv.slice(2), io);
}
