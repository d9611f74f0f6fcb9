/**
 * purpose-guard for LangChain (`purpose-guard/langchain`): the same guard, declaration, policies and audit log for
 * agents that call tools in-process. Three entry points, one per kind of stack:
 *
 * - `purposeGuardMiddleware(guard)` for `createAgent` (langchain 1.x): enforces, redacts, asks, links traces.
 * - `guardTools(tools, guard)` for LangGraph's `ToolNode`, hand-written loops and plain `tool.invoke`.
 * - `PurposeGuardCallbackHandler` for stacks where neither fits: enforces from callbacks, or shadows.
 */
export { purposeGuardMiddleware } from "./middleware.js";
export { guardTools, type InvocableTool } from "./guard-tools.js";
export { PurposeGuardCallbackHandler } from "./callback-handler.js";
export { ToolFailedError } from "./guarded-run.js";
export { answerOf, type ApprovalTarget, type PurposeGuardApprovalRequest } from "./human-in-the-loop.js";
export type { LangChainGuardOptions, PurposeGuardMiddlewareOptions, PurposeGuardCallbackHandlerOptions, SessionContext } from "./options.js";
export type { ToolMap, ToolMapping } from "../common/tool-names.js";
export { RefusalError, refusalOf } from "../../src/index.js";
