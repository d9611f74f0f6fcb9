import { existsSync } from "node:fs";
import { defaultDataDir, loadAgentDojo, type AgentDojoData } from "../../evals/agentdojo/dataset.js";
import { ROOT } from "../helpers.js";

/** The AgentDojo data folder the tests read: $AGENTDOJO_DATA, or ../shared/datasets/agentdojo-v1 beside the clone. */
export const DATA_DIR = defaultDataDir(ROOT, process.env);

if (!existsSync(DATA_DIR)) {
  throw new Error(`the AgentDojo data folder ${DATA_DIR} is missing: set AGENTDOJO_DATA, or clone the repository beside ../shared (see evals/README.md)`);
}

let loaded: Promise<AgentDojoData> | undefined;
export const agentdojo = (): Promise<AgentDojoData> => (loaded ??= loadAgentDojo(DATA_DIR));
