import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { RunnableLambda } from "@langchain/core/runnables";
import { tool } from "langchain";
import { z } from "zod";

/**
 * A small CRM and mailer as LangChain tools. Every run is written to `effects`, so a test proves that a refused call
 * never ran.
 */
export function supportTools() {
  const effects: string[] = [];
  const getCustomer = tool(
    async ({ id }) => {
      effects.push(`get_customer:${id}`);
      return JSON.stringify({ id, name: "Ada Lovelace", email: "ada@customer.example", orders: 3 });
    },
    { name: "get_customer", description: "Look up a customer by id", schema: z.object({ id: z.string() }) },
  );
  const listOrders = tool(
    async ({ customerId }) => {
      effects.push(`list_orders:${customerId}`);
      return [{ order: "o-1", total: 42 }, { order: "o-2", total: 7 }];
    },
    { name: "list_orders", description: "List a customer's orders", schema: z.object({ customerId: z.string() }) },
  );
  const sendEmail = tool(
    async ({ to }) => {
      effects.push(`send_email:${to}`);
      return `sent to ${to}`;
    },
    { name: "send_email", description: "Send an email", schema: z.object({ to: z.string(), subject: z.string(), body: z.string() }) },
  );
  const deleteCustomer = tool(
    async ({ id }) => {
      effects.push(`delete_customer:${id}`);
      return `deleted ${id}`;
    },
    { name: "delete_customer", description: "Delete a customer record", schema: z.object({ id: z.string() }) },
  );
  const exportCustomers = tool(
    async () => {
      effects.push("export_customers");
      return "exported 10000 customers";
    },
    { name: "export_customers", description: "Export every customer", schema: z.object({}) },
  );
  return { effects, getCustomer, listOrders, sendEmail, deleteCustomer, exportCustomers, all: [getCustomer, listOrders, sendEmail, deleteCustomer, exportCustomers] };
}

/** Records LangChain's tool runs as tracers see them: run id, parent run id, tool call id. */
export class ToolRunRecorder extends BaseCallbackHandler {
  readonly name = "ToolRunRecorder";
  readonly runs: { name: string | undefined; runId: string; parentRunId: string | undefined; toolCallId: string | undefined }[] = [];

  override handleToolStart(_tool: unknown, _input: string, runId: string, parentRunId?: string, _tags?: string[], _metadata?: Record<string, unknown>, runName?: string, toolCallId?: string): void {
    this.runs.push({ name: runName, runId, parentRunId, toolCallId });
  }
}

/** A `runnable.asTool()` tool (a chain run, not a tool run) that writes each run to `effects`. */
export function recordingRunnableTool(name: string, effects: string[]) {
  return RunnableLambda.from(async (input: { id: string }) => {
    effects.push(`${name}:${input.id}`);
    return `${name} ${input.id}`;
  }).asTool({ name, description: name, schema: z.object({ id: z.string() }) });
}
