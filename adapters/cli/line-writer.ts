import { GuardError } from "../../src/errors.js";
import type { CliOutput } from "./command.js";

/**
 * Output for commands that write much (one line per input line): it waits while the stream's buffer is full, and it
 * tells a reader that went away (`purpose-guard classify --jsonl big.jsonl | head`) from a write that failed. The first
 * ends the command quietly, as `head` expects; the second is an error, since output was lost.
 */
export interface LineWriter {
  /** Resolves true once `chunk` is accepted, false when the reader has gone away (the caller stops). */
  write(chunk: string): Promise<boolean>;
  /** Stops listening to the stream. */
  close(): void;
}

export function lineWriter(out: CliOutput, what: string): LineWriter {
  let failure: Error | undefined;
  let gone = false;
  let wake: (() => void) | undefined;
  const onError = (error: Error) => {
    // After the reader left, writes already on their way fail too (the stream is destroyed): that is no news.
    if (gone) return;
    if ((error as NodeJS.ErrnoException).code === "EPIPE") gone = true;
    else failure = error;
    wake?.();
  };
  out.on?.("error", onError);
  const check = () => {
    if (failure) throw new GuardError("OUTPUT_FAILED", `cannot write ${what}: ${failure.message}`, { issues: [{ message: failure.message, fix: "check where the output goes (disk space, permissions)" }], cause: failure });
    return !gone;
  };
  return {
    async write(chunk) {
      if (!check()) return false;
      if (out.write(chunk) === false && out.once) {
        let resume = () => undefined as void;
        await new Promise<void>((resolve) => {
          resume = wake = resolve;
          out.once!("drain", resume);
          out.once!("close", resume);
        });
        // Whichever came, the other listener goes: a long run waits thousands of times.
        out.off?.("drain", resume);
        out.off?.("close", resume);
        wake = undefined;
      }
      return check();
    },
    close() {
      out.off?.("error", onError);
    },
  };
}
