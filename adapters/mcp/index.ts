/**
 * purpose-guard's MCP proxy (`purpose-guard/mcp`): an MCP server made of other MCP servers, with the guard deciding
 * every tool call, resource read and prompt in between. See docs/mcp-proxy.md.
 */
export { createProxy, type Proxy, type ProxyOptions } from "./proxy.js";
export { listenHttp, type HttpListener, type HttpListenOptions } from "./http.js";
export { StdioServerTransport, readIncoming, type StdioServerOptions } from "./stdio-server.js";
export { guardedEnforcer, elicitationApprover, DENIED_CODE, VERDICT_META, type GuardedOptions } from "./guarded.js";
export { passThrough, PROMPT_GET, RESOURCE_READ, type Admission, type CallContext, type Enforcer, type ToolAlert } from "./enforcer.js";
export { loadProxyConfig, parseProxyConfig, type ProxyConfig } from "./config.js";
export { firstSightPins, lockFilePins, readLockFile, writeLockFile, toolDigest, type LockFile, type PinStore, type PinStatus } from "./pins.js";
export { createNaming, type Naming, type NamingOptions, type PrefixMode } from "./naming.js";
export type { ProxySession, ToolEntry, ToolStatus } from "./session.js";
export type { UpstreamSpec, StdioUpstreamSpec, HttpUpstreamSpec, InProcessUpstreamSpec, RestartPolicy } from "./upstream.js";
