/** The example support desk's data: two customers and their orders, held in memory. */
/** The CRM keeps SSNs from identity checks: data the support declaration may not read (the guard redacts it). */
export const CUSTOMERS: Readonly<Record<string, { readonly name: string; readonly email: string; readonly ssn: string; readonly orders: readonly string[] }>> = {
  "c-42": { name: "Ada Lovelace", email: "ada@customer.example", ssn: "219-09-9991", orders: ["o-1001", "o-1002"] },
  "c-77": { name: "Alan Turing", email: "alan@customer.example", ssn: "078-05-1120", orders: ["o-2001"] },
};

export const ORDERS: Readonly<Record<string, { readonly status: string; readonly eta: string }>> = {
  "o-1001": { status: "shipped", eta: "2026-12-03" },
  "o-1002": { status: "delayed at the depot", eta: "2026-12-09" },
  "o-2001": { status: "delivered", eta: "2026-11-28" },
};

/** The moment the examples run at: inside the support declaration's lifespan (2026-11-24 .. 2026-12-24). */
export const EXAMPLE_CLOCK = Date.parse("2026-12-01T09:00:00Z");

/** Where the support declaration is bound to run. */
export const SUPPORT_RUNTIME = { environment: "production", region: "eu-west-1", account: "123456789012", tenant: "acme" } as const;
