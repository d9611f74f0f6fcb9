import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createMemorySink, type MemorySink } from "../../src/audit/memory-sink.js";
import type { Classifier } from "../../src/classify/classifier.js";
import type { Finding } from "../../src/model/finding.js";
import type { GuardConfig } from "../../src/config.js";
import { createGuard, type Guard } from "../../src/guard.js";
import type { ToolCall } from "../../src/model/call.js";
import type { Notification } from "../../src/monitor/notify.js";
import { DURING_SUPPORT, example, ROOT, SUPPORT_RUNTIME, tempDir } from "../helpers.js";

export const SUPPORT_PACK = join(ROOT, "policies", "packs", "support-containment.cedar");

/** A clock the test moves by hand, starting inside the support declaration's lifespan. */
export function manualClock(start = DURING_SUPPORT + 9 * 3_600_000): { now: () => number; advance: (ms: number) => void } {
  let now = start;
  return { now: () => now, advance: (ms) => void (now += ms) };
}

export interface Harness {
  readonly guard: Guard;
  readonly sink: MemorySink;
  readonly notified: Notification[];
  readonly clock: ReturnType<typeof manualClock>;
}

/** The support declaration under real Cedar, with a memory audit sink, a manual clock and a recording notifier. */
export async function supportHarness(overrides: Partial<GuardConfig> = {}): Promise<Harness> {
  const sink = createMemorySink();
  const notified: Notification[] = [];
  const clock = manualClock();
  const { monitor, ...rest } = overrides;
  const guard = await createGuard({
    declaration: example("support.yaml"),
    audit: [sink],
    runtime: SUPPORT_RUNTIME,
    clock: clock.now,
    ...rest,
    monitor: { ...monitor, notify: [...(monitor?.notify ?? []), (notification: Notification) => notified.push(notification)] },
  });
  return { guard, sink, notified, clock };
}

export const crm = (tool: string, args: unknown = {}, sessionId = "s1"): ToolCall => ({ server: "crm", tool, args, sessionId });
export const mail = (to = "ops@acme.example", sessionId = "s1", body = "hello"): ToolCall => ({ server: "mail", tool: "send_email", args: { to, body }, sessionId });

/** A list result of `n` customer records. */
export const customers = (n: number, offset = 0) => Array.from({ length: n }, (_, index) => ({ id: offset + index, status: "shipped" }));

export function policyFile(text: string): string {
  const file = join(tempDir(), "pack.cedar");
  writeFileSync(file, text);
  return file;
}

/** Runs a call and, when it may go ahead, its result. */
export async function callAndRead(guard: Guard, call: ToolCall, result: unknown) {
  const before = await guard.beforeCall(call);
  const after = before.decision === "allow" || before.decision === "redact" ? await guard.afterCall(call, result) : undefined;
  return { before, after };
}

/**
 * A user-supplied classifier (the `Classifier` interface is public): finds AWS access key ids in string values. The
 * guard's own detector suite lives in src/classify; this one keeps the monitor's tests independent of it.
 */
export const awsKeyClassifier: Classifier = {
  classify(value: unknown): Finding[] {
    const findings: Finding[] = [];
    const walk = (node: unknown, pointer: string) => {
      if (typeof node === "string") {
        for (const match of node.matchAll(/\bAKIA[0-9A-Z]{16}\b/g)) {
          findings.push({ class: "secret.aws_access_key", pointer, start: match.index, end: match.index + match[0].length, detector: "test:aws-key-id", confidence: 0.99 });
        }
      } else if (Array.isArray(node)) {
        node.forEach((item, index) => walk(item, `${pointer}/${index}`));
      } else if (node !== null && typeof node === "object") {
        for (const [key, item] of Object.entries(node)) walk(item, `${pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`);
      }
    };
    walk(value, "");
    return findings;
  },
};
