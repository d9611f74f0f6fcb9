/**
 * purpose-guard for the OpenAI SDK (`purpose-guard/openai`, openai 6.x): the same guard, declaration, policies and
 * audit log for function calling.
 *
 * - `guardRunToolsFunctions(tools, guard)` for `client.chat.completions.runTools`.
 * - `guardResponsesFunctions(functions, guard)` for the Responses API's manual loop.
 */
export { guardRunToolsFunctions, type RunToolsContext } from "./run-tools.js";
export { guardResponsesFunctions, type GuardedResponsesFunctions, type ResponseLike, type ResponsesContext, type ResponsesFunction } from "./responses.js";
export type { OpenAIGuardOptions } from "./options.js";
export type { ToolMap, ToolMapping } from "../common/tool-names.js";
export { RefusalError, refusalOf } from "../../src/index.js";
