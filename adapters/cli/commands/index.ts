import type { Command } from "../command.js";

/** Every subcommand, in the order help lists them. Add a command by adding its module here. */
export const COMMANDS: readonly Command[] = [];
