import { GuardError, messageOf } from "../errors.js";

/** One containment step or alert, as operators are told of it. Ids, classes and counts only: never a value. */
export interface Notification {
  /** The rung reached: `alert`, `block`, `halt`, `remediate`; `release` when an operator lifted a halt. */
  readonly kind: "alert" | "block" | "halt" | "remediate" | "release";
  /** ISO 8601. */
  readonly time: string;
  /** The policy or drift rule id. */
  readonly rule: string;
  readonly reason: string;
  readonly declarationId: string;
  readonly agent: string;
  readonly sessionId?: string;
  readonly server?: string;
  readonly tool?: string;
  readonly decisionId?: string;
  readonly threadId?: string;
  readonly traceId?: string;
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
}

/** Sends notifications somewhere. `notify` only enqueues and never throws: a slow or broken sink cannot stall a call. */
export interface Notifier {
  readonly name: string;
  notify(notification: Notification): void;
  /** Why deliveries fail, once they do. */
  failure?(): string | undefined;
  /** Settles when everything enqueued so far was delivered or given up on. */
  close?(): Promise<void>;
}

export type NotifierConfig =
  | { readonly type: "stderr" }
  /** POSTs each notification as JSON. Loopback only unless `allowRemote` (a notification names sessions and rules). */
  | { readonly type: "webhook"; readonly url: string; readonly headers?: Readonly<Record<string, string>>; readonly timeoutMs?: number; readonly allowRemote?: boolean };

export type NotifierInput = NotifierConfig | Notifier | ((notification: Notification) => void);

export function createNotifier(input: NotifierInput, index = 0): Notifier {
  if (typeof input === "function") return { name: input.name || `callback-${index}`, notify: (notification) => safely(() => input(notification)) };
  if ("notify" in input) return input;
  switch (input.type) {
    case "stderr":
      return createStreamNotifier(process.stderr, "stderr");
    case "webhook":
      return createWebhookNotifier(input);
  }
}

/** One readable line per notification. */
export function createStreamNotifier(stream: { write(chunk: string): unknown }, name = "stream"): Notifier {
  return {
    name,
    notify(n) {
      const where = [n.sessionId ? `session=${n.sessionId}` : "", n.server && n.tool ? `tool=${n.server}/${n.tool}` : "", n.decisionId ? `decision=${n.decisionId}` : ""].filter(Boolean).join(" ");
      safely(() => stream.write(`purpose-guard ${n.kind.toUpperCase()} [${n.rule}] ${where}: ${n.reason}\n`));
    },
  };
}

const MAX_QUEUE = 1000;

/**
 * POSTs notifications to a webhook, one at a time in order, each within `timeoutMs` (default 5 s). Past 1000
 * waiting, the oldest are dropped and counted; failures are kept for `failure()`, never thrown at the guard.
 */
export function createWebhookNotifier(config: Extract<NotifierConfig, { type: "webhook" }>): Notifier {
  const url = checkWebhookUrl(config.url, config.allowRemote === true);
  const timeoutMs = config.timeoutMs ?? 5000;
  const queue: Notification[] = [];
  let sending: Promise<void> | undefined;
  let failure: string | undefined;
  let dropped = 0;

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const next = queue.shift()!;
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...config.headers },
          body: JSON.stringify(next),
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.arrayBuffer().catch(() => undefined);
        failure = response.ok ? undefined : `webhook ${url.origin} answered ${response.status}`;
      } catch (error) {
        failure = `webhook ${url.origin} failed: ${messageOf(error)}`;
      }
    }
    sending = undefined;
  }

  return {
    name: "webhook",
    notify(notification) {
      queue.push(notification);
      if (queue.length > MAX_QUEUE) {
        queue.shift();
        dropped++;
        failure = `webhook ${url.origin} is too slow: ${dropped} notifications dropped`;
      }
      sending ??= drain();
    },
    failure: () => failure,
    close: async () => {
      await sending;
    },
  };
}

const LOOPBACK_HOSTS = new Set(["localhost", "::1", "[::1]"]);

/** True for a host on this machine: `localhost`, 127.0.0.0/8, ::1. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127(\.\d{1,3}){3}$/.test(host);
}

function checkWebhookUrl(text: string, allowRemote: boolean): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new GuardError("CONFIG_INVALID", `the webhook URL \`${text}\` is not a URL`, { issues: [{ path: "monitor.notify[].url", message: "not a URL", fix: "e.g. http://127.0.0.1:9000/alerts" }] });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new GuardError("CONFIG_INVALID", `the webhook URL \`${text}\` is not http or https`, { issues: [{ path: "monitor.notify[].url", message: "unsupported protocol", fix: "use an http:// or https:// URL" }] });
  }
  if (!allowRemote && !isLoopbackHost(url.hostname)) {
    throw new GuardError("CONFIG_INVALID", `the webhook \`${url.origin}\` is not on this machine`, {
      issues: [{ path: "monitor.notify[].url", message: "notifications leave the machine only when you say so", fix: "use a loopback address, or set allowRemote: true" }],
    });
  }
  return url;
}

function safely(action: () => unknown): void {
  try {
    action();
  } catch {
    // a notifier must never break a decision; its failure is its own to report
  }
}
