import { Readable } from "node:stream";
import { main } from "../../adapters/cli/main.js";
import { ROOT } from "../helpers.js";

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `purpose-guard ...args` in-process with captured output. */
export async function cli(args: readonly string[], options: { env?: Record<string, string>; stdin?: string; cwd?: string } = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    stdin: Readable.from([options.stdin ?? ""]),
    cwd: options.cwd ?? ROOT,
    env: options.env ?? {},
  });
  return { code, stdout, stderr };
}
