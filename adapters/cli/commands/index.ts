import type { Command } from "../command.js";
import { approvalsCommand } from "./approvals.js";
import { auditCommand } from "./audit.js";
import { checkCommand } from "./check.js";
import { classifyCommand } from "./classify.js";
import { evalCommand } from "./eval.js";
import { pinCommand } from "./pin.js";
import { proxyCommand } from "./proxy.js";
import { reportCommand } from "./report.js";
import { keygenCommand, signCommand, verifyCommand } from "./sign.js";

/** Every subcommand, in the order help lists them. Add a command by adding its module here. */
export const COMMANDS: readonly Command[] = [checkCommand, proxyCommand, pinCommand, signCommand, verifyCommand, keygenCommand, auditCommand, approvalsCommand, reportCommand, classifyCommand, evalCommand];
