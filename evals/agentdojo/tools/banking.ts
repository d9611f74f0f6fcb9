import type { JsonObject } from "../dataset.js";
import { asArray, asObject, maxId, str, ToolError, type SuiteState, type SuiteTools } from "./runtime.js";

/**
 * The banking suite: one bank account (transactions, standing orders), the user's profile and password, and a few
 * documents (bills, notices). The balance is the environment's, moved by the transactions made since.
 */

function bank(state: SuiteState): JsonObject {
  return state.data["bank_account"] as JsonObject;
}

function transactions(state: SuiteState): JsonObject[] {
  return bank(state)["transactions"] as JsonObject[];
}

function scheduled(state: SuiteState): JsonObject[] {
  return bank(state)["scheduled_transactions"] as JsonObject[];
}

function normalizeTransaction(item: unknown): JsonObject {
  const t = asObject(item as JsonObject, "transaction");
  return {
    id: Number(t["id"]),
    sender: str(t["sender"]),
    recipient: str(t["recipient"]),
    amount: Number(t["amount"]),
    subject: str(t["subject"]),
    date: str(t["date"]),
    recurring: t["recurring"] === true,
  };
}

function validDate(tool: string, value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value.trim())) throw new ToolError(`${tool}: \`date\` must be in the format YYYY-MM-DD, got \`${value}\``);
  return value.trim();
}

function amountOf(tool: string, amount: number): number {
  if (!(amount > 0)) throw new ToolError(`${tool}: \`amount\` must be positive`);
  return amount;
}

export const banking: SuiteTools = {
  suite: "banking",
  init(tree): SuiteState {
    const account = asObject(tree["bank_account"], "bank_account");
    const history = asArray(account["transactions"], "bank_account.transactions").map(normalizeTransaction);
    const standing = asArray(account["scheduled_transactions"], "bank_account.scheduled_transactions").map(normalizeTransaction);
    const files = asObject(asObject(tree["filesystem"] ?? { files: {} }, "filesystem")["files"] ?? {}, "filesystem.files");
    return {
      data: {
        bank_account: { iban: str(account["iban"]), transactions: history, scheduled_transactions: standing },
        filesystem: { files: { ...files } },
        user_account: { ...asObject(tree["user_account"] ?? {}, "user_account") },
      },
      meta: {
        // Transactions and standing orders share one id sequence, as in the environment.
        next: { transaction: Math.max(maxId(history), maxId(standing)) + 1 },
        fixed: { balance: Number(account["balance"] ?? 0), knownTransactions: history.map((t) => t["id"]!) },
      },
    };
  },
  tools: {
    get_iban: (_args, ctx) => str(bank(ctx.state)["iban"]),
    get_balance(_args, ctx) {
      const known = new Set(ctx.state.meta.fixed["knownTransactions"] as number[]);
      let balance = Number(ctx.state.meta.fixed["balance"]);
      for (const t of transactions(ctx.state)) {
        if (known.has(Number(t["id"]))) continue;
        if (t["sender"] === "me") balance -= Number(t["amount"]);
        if (t["recipient"] === "me") balance += Number(t["amount"]);
      }
      return Math.round(balance * 100) / 100;
    },
    send_money(args, ctx) {
      const id = Number(ctx.nextId("transaction"));
      const transaction: JsonObject = {
        id,
        sender: "me",
        recipient: args.string("recipient"),
        amount: amountOf("send_money", args.number("amount")),
        subject: args.string("subject"),
        date: validDate("send_money", args.string("date")),
        recurring: false,
      };
      transactions(ctx.state).push(transaction);
      ctx.created(String(id));
      return { message: `Transaction to ${str(transaction["recipient"])} for ${String(transaction["amount"])} sent.`, transaction };
    },
    schedule_transaction(args, ctx) {
      const id = Number(ctx.nextId("transaction"));
      const transaction: JsonObject = {
        id,
        sender: str(bank(ctx.state)["iban"]),
        recipient: args.string("recipient"),
        amount: amountOf("schedule_transaction", args.number("amount")),
        subject: args.string("subject"),
        date: validDate("schedule_transaction", args.string("date")),
        recurring: args.boolean("recurring"),
      };
      scheduled(ctx.state).push(transaction);
      ctx.created(String(id));
      return { message: `Transaction to ${str(transaction["recipient"])} for ${String(transaction["amount"])} scheduled.`, transaction };
    },
    update_scheduled_transaction(args, ctx) {
      const id = args.number("id");
      const transaction = scheduled(ctx.state).find((t) => t["id"] === id);
      if (!transaction) throw new ToolError(`update_scheduled_transaction: no scheduled transaction with id \`${id}\``);
      const recipient = args.optionalString("recipient");
      const amount = args.optionalNumber("amount");
      const subject = args.optionalString("subject");
      const date = args.optionalString("date");
      const recurring = args.optionalBoolean("recurring");
      if (recipient !== undefined) transaction["recipient"] = recipient;
      if (amount !== undefined) transaction["amount"] = amountOf("update_scheduled_transaction", amount);
      if (subject !== undefined) transaction["subject"] = subject;
      if (date !== undefined) transaction["date"] = validDate("update_scheduled_transaction", date);
      if (recurring !== undefined) transaction["recurring"] = recurring;
      return { message: `Scheduled transaction ${id} updated.`, transaction };
    },
    get_most_recent_transactions(args, ctx) {
      const n = args.optionalNumber("n") ?? 100;
      if (!Number.isInteger(n) || n < 1) throw new ToolError("get_most_recent_transactions: `n` must be a positive integer");
      return transactions(ctx.state).slice(-n);
    },
    get_scheduled_transactions: (_args, ctx) => scheduled(ctx.state),
    read_file(args, ctx) {
      const path = args.string("file_path");
      const files = (ctx.state.data["filesystem"] as JsonObject)["files"] as JsonObject;
      const content = files[path];
      if (typeof content !== "string") throw new ToolError(`read_file: no file at \`${path}\``);
      return content;
    },
    get_user_info(_args, ctx) {
      const { password: _password, ...info } = ctx.state.data["user_account"] as JsonObject;
      return info;
    },
    update_password(args, ctx) {
      const password = args.string("password");
      if (password.length === 0) throw new ToolError("update_password: `password` must not be empty");
      (ctx.state.data["user_account"] as JsonObject)["password"] = password;
      return "Password updated.";
    },
    update_user_info(args, ctx) {
      const user = ctx.state.data["user_account"] as JsonObject;
      for (const field of ["first_name", "last_name", "street", "city"]) {
        const value = args.optionalString(field);
        if (value !== undefined) user[field] = value;
      }
      const { password: _password, ...info } = user;
      return info;
    },
  },
};
