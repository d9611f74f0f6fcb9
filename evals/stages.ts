import { COMMANDS } from "../adapters/cli/commands/index.js";
import type { Classifier, Redactor } from "../src/classify/classifier.js";
import type { FlowStore } from "../src/flow/flow-store.js";

/**
 * The optional pipeline stages the evals wire into the guard, as this build has them. The core guard runs without
 * them (no classes, no flows); each eval reports results as measured with what is here, and names what is missing.
 */
export interface Stages {
  readonly classifier?: (options?: Record<string, unknown>) => Classifier;
  readonly redactor?: () => Redactor;
  readonly flowStore?: () => FlowStore;
  /** `purpose-guard proxy` with tools/list filtering. */
  readonly proxy: boolean;
  /** Pinning of tool descriptions and schemas in the proxy. */
  readonly pinning: boolean;
  /** Conditional approvals (ask -> approver -> re-decide) in the core. */
  readonly approvals: boolean;
}

/** The proxy (and its pinning) is there when the CLI has the `proxy` command. */
const HAS_PROXY = COMMANDS.some((command) => command.name === "proxy");

export const STAGES: Stages = { proxy: HAS_PROXY, pinning: HAS_PROXY, approvals: true };

export type Capability = "classifier" | "redactor" | "flow" | "proxy" | "pinning" | "approvals";

/** Which of the capabilities a scenario or run needs are absent from this build. */
export function missingCapabilities(required: readonly Capability[], stages: Stages = STAGES): Capability[] {
  const present: Record<Capability, boolean> = {
    classifier: stages.classifier !== undefined,
    redactor: stages.redactor !== undefined,
    flow: stages.flowStore !== undefined,
    proxy: stages.proxy,
    pinning: stages.pinning,
    approvals: stages.approvals,
  };
  return required.filter((capability) => !present[capability]);
}

/** The guard configuration fields for the stages this build has. */
export function stageConfig(classifierOptions?: Record<string, unknown>, stages: Stages = STAGES): { classifier?: Classifier; redactor?: Redactor; flowStore?: FlowStore } {
  return {
    ...(stages.classifier ? { classifier: stages.classifier(classifierOptions) } : {}),
    ...(stages.redactor ? { redactor: stages.redactor() } : {}),
    ...(stages.flowStore ? { flowStore: stages.flowStore() } : {}),
  };
}
