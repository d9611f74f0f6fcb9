import { fileURLToPath } from "node:url";
import { zodFunction } from "openai/helpers/zod";
import type { RunnableToolFunctionWithParse, RunnableToolFunctionWithoutParse } from "openai/lib/RunnableFunction";
import { z } from "zod";

export function cassette(name: string): string {
  return fileURLToPath(new URL(`./cassettes/${name}`, import.meta.url));
}

/** The support CRM and mailer as runTools functions; every run is written to `effects`. */
export function supportFunctions() {
  const effects: string[] = [];
  const tools: (RunnableToolFunctionWithParse<{ id: string }> | RunnableToolFunctionWithParse<object> | RunnableToolFunctionWithoutParse)[] = [
    {
      type: "function" as const,
      function: {
        name: "get_customer",
        description: "Look up a customer by id",
        parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
        parse: (input: string) => JSON.parse(input) as { id: string },
        function: ({ id }: { id: string }) => {
          effects.push(`get_customer:${id}`);
          return { id, name: "Ada Lovelace", email: "ada@customer.example", orders: 3 };
        },
      },
    },
    // A plain runnable function with a parser.
    {
      type: "function" as const,
      function: {
        name: "delete_customer",
        description: "Delete a customer record",
        parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
        parse: (input: string) => JSON.parse(input) as { id: string },
        function: ({ id }: { id: string }) => {
          effects.push(`delete_customer:${id}`);
          return `deleted ${id}`;
        },
      },
    },
    // A runnable function without a parser: raw JSON text in.
    {
      type: "function" as const,
      function: {
        name: "send_email",
        description: "Send an email",
        parameters: { type: "object", properties: { to: { type: "string" }, subject: { type: "string" }, body: { type: "string" } }, required: ["to", "subject", "body"] },
        function: (args: string) => {
          const { to } = JSON.parse(args) as { to: string };
          effects.push(`send_email:${to}`);
          return `sent to ${to}`;
        },
      },
    },
    {
      type: "function" as const,
      function: {
        name: "export_customers",
        description: "Export every customer",
        parameters: { type: "object", properties: {} },
        parse: (input: string) => JSON.parse(input) as object,
        function: () => {
          effects.push("export_customers");
          return "exported";
        },
      },
    },
  ];
  return { effects, tools };
}

/** The customer lookup as the SDK's zod helper makes it (an auto-parseable tool). */
export function zodCustomerTool(effects: string[]) {
  return zodFunction({
    name: "get_customer",
    description: "Look up a customer by id",
    parameters: z.object({ id: z.string() }),
    function: ({ id }) => {
      effects.push(`get_customer:${id}`);
      return { id, name: "Ada Lovelace", email: "ada@customer.example", orders: 3 };
    },
  });
}
