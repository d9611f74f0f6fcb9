import { COMMANDS } from "../adapters/cli/commands/index.js";

/**
 * What of purpose-guard this build has, beyond the core guard (which classifies, redacts and tracks flows by
 * default): scenarios name what they exercise, and a report says which missing piece explains a failure.
 */
export type Capability = "classifier" | "redactor" | "flow" | "proxy" | "pinning" | "approvals";

/** The proxy (and its pinning) is there when the CLI has the `proxy` command. */
const HAS_PROXY = COMMANDS.some((command) => command.name === "proxy");

export const STAGES: Readonly<Record<Capability, boolean>> = {
  classifier: true,
  redactor: true,
  flow: true,
  proxy: HAS_PROXY,
  pinning: HAS_PROXY,
  approvals: true,
};

/** Which of the capabilities a scenario or run needs are absent from this build. */
export function missingCapabilities(required: readonly Capability[], stages: Readonly<Record<Capability, boolean>> = STAGES): Capability[] {
  return required.filter((capability) => !stages[capability]);
}
