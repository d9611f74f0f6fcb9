/**
 * purpose-guard's public API. Adapters (MCP proxy, LangChain, OpenAI) live in their own entry points and import
 * only what is exported here.
 */
export { createGuard, callDigest, type Guard, type GuardAlert, type CallOptions, type ResultOptions } from "./guard.js";
export type { GuardConfig } from "./config.js";
export { GuardError, RefusalError, refusalOf, isGuardRefusal, ERROR_CODES, formatIssue, isGuardError, type ErrorCode, type Issue } from "./errors.js";
export * from "./model/index.js";

// Declarations
export { loadDeclarationFile, parseDeclaration, declarationFromObject, type LoadOptions } from "./declare/load.js";
export { findVagueness, DEFAULT_MAX_LIFESPAN_DAYS, type SpecificityOptions, type VaguenessIssue } from "./declare/specificity.js";
export { declarationDigest, signedContent } from "./declare/digest.js";
export { signDeclaration, verifyDeclaration, readKey, generateSigningKeys } from "./declare/sign.js";
export { withSignature } from "./declare/sign-file.js";
export { canonicalJson } from "./declare/canonical.js";

// Authorization
export type { Action, AuthorizationRequest, DecisionContext, DeterminingPolicy, EngineDecision, PolicyEngine, RuntimeBounds, SessionCounters } from "./authorize/engine.js";
export { createCedarEngine, type CedarEngine, type CedarEngineOptions } from "./authorize/cedar/cedar-engine.js";
export { loadCedarPolicies, type PolicyLoadOptions } from "./authorize/cedar/load-policies.js";
export { compilePolicies, type CompiledPolicy, type CompiledPolicySet } from "./authorize/cedar/compile.js";
export { createFunctionEngine, type PolicyFunction, type FunctionEngineOptions } from "./authorize/function-engine.js";
export { GUARD_POLICY_IDS } from "./authorize/outcome.js";
export { createToolCatalog, type ToolCatalog, type ToolConfig, type ToolHints } from "./catalog/tool-catalog.js";

// Stage interfaces
export type { Classifier, Redactor } from "./classify/classifier.js";
export type { FlowMatch, FlowSource, FlowStore } from "./flow/flow-store.js";

// Classification, redaction, flow tracking
export { createClassifier, DETECTOR_FAMILIES, type ClassifierOptions, type DetectorFamily } from "./classify/classify.js";
export type { CustomClass, TenantPattern } from "./classify/detectors/configured.js";
export { createRedactor, type RedactorOptions, type RedactionRule, type RedactionStyle } from "./classify/redact.js";
export { normalizeValue } from "./classify/normalize.js";
export { hasDuplicateKeys } from "./classify/json-literals.js";
export { createMemoryFlowStore, type MemoryFlowStoreOptions } from "./flow/memory-flow-store.js";
export { flowLabels, type FlowLabels } from "./flow/labels.js";
export type { ApprovalAnswer, ApprovalRequest, Approver } from "./approve/approver.js";

// Approvals
export { createCallbackApprover, type ApprovalCallback } from "./approve/callback-approver.js";
export { startHttpApprover, type HttpApprover, type HttpApproverOptions, type PendingApproval } from "./approve/http-approver.js";
export { createApprovalClient, readApprovalEndpoint, type ApprovalClient, type ApprovalDecision, type ApprovalEndpoint } from "./approve/http-client.js";
export type { GrantedApproval } from "./approve/ledger.js";

// Monitoring
export { DRIFT_RULES, DEFAULT_SENSITIVE_CLASSES, type DriftRuleId, type MonitorConfig, type RuleResponse, type RuleSetting } from "./monitor/rules.js";
export { createStreamNotifier, createWebhookNotifier, type Notification, type Notifier, type NotifierConfig } from "./monitor/notify.js";
export type { RemediationEvent, RemediationHook } from "./monitor/remediate.js";
export type { ContainmentLevel, FamilyCounts } from "./authorize/engine.js";

// Audit
export type { AuditSink } from "./audit/sink.js";
export type { AuditSinkConfig } from "./audit/sinks.js";
export { createJsonlSink, type JsonlSink, type JsonlSinkOptions } from "./audit/jsonl-sink.js";
export { createMemorySink, type MemorySink } from "./audit/memory-sink.js";
export { createStreamSink } from "./audit/stream-sink.js";
export { verifyAuditLog, type VerifyReport, type ChainBreak, type Tampering } from "./audit/verify.js";
export { matchesAudit, queryAuditLog, readAuditLog, withRotated, type AuditFilter, type UnreadableLine } from "./audit/query.js";
export { followAuditLog, type FollowOptions } from "./audit/follow.js";
export { renderReport, type ReportOptions } from "./audit/report-html.js";
