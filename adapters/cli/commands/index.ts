import type { Command } from "../command.js";
import { auditCommand } from "./audit.js";
import { checkCommand } from "./check.js";
import { keygenCommand, signCommand, verifyCommand } from "./sign.js";

/** Every subcommand, in the order help lists them. Add a command by adding its module here. */
export const COMMANDS: readonly Command[] = [checkCommand, signCommand, verifyCommand, keygenCommand, auditCommand];
