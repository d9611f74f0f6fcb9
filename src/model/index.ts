export * from "./audit-record.js";
export * from "./call.js";
export * from "./data-class.js";
export * from "./declaration.js";
export * from "./finding.js";
export * from "./tool.js";
export * from "./verdict.js";
