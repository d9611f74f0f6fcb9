import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryAuditLog } from "../../src/audit/query.js";
import { renderReport } from "../../src/audit/report-html.js";
import type { AuditRecord } from "../../src/model/audit-record.js";
import { cli } from "../cli/run-cli.js";
import { tempDir } from "../helpers.js";
import { record } from "./audit-sink.contract.js";
import { conversationLog } from "./audit-fixture.js";

const CHROMIUM = "/usr/bin/chromium";
let browser: BrowserContext;
let log: string;
let records: AuditRecord[];

beforeAll(async () => {
  // Not a skip: the report's test needs a real browser, and CI installs it (.ci/install-deps).
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run .ci/install-deps (apt-get install chromium) to test the HTML report`);
  // A new, empty profile each run (playwright passes it as --user-data-dir).
  browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "pg-chromium-")), {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  ({ file: log } = await conversationLog());
  records = await queryAuditLog([log]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** Opens a report like a person would and collects everything the console or the page complained about. */
async function open(file: string) {
  const page = await browser.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("request", (request) => requests.push(request.url()));
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  return { page, problems, requests };
}

describe("purpose-guard report", () => {
  it("writes a self-contained page that opens without console errors and shows the timeline", async () => {
    const out = join(tempDir(), "report.html");
    const run = await cli(["report", "--out", out, log]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`wrote ${out}: ${records.length} records`);
    const { page, problems, requests } = await open(out);
    expect(await page.title()).toBe("purpose-guard audit report");
    expect(await page.locator("#timeline-table tbody tr").count()).toBe(records.length);
    expect(await page.locator("#lanes circle").count()).toBe(records.filter((entry) => entry.event !== "containment" && entry.event !== "alert").length);
    expect(await page.locator("#lanes .lane-label").allTextContents()).toEqual(["s-1", "s-2"]);
    expect(await page.locator("#row-count").textContent()).toBe(`${records.length} of ${records.length} records`);
    expect(requests).toEqual([pathToFileURL(out).href]);
    await page.screenshot({ path: join(tempDir(), "report.png"), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("filters the timeline by verdict and by session", async () => {
    const out = join(tempDir(), "report.html");
    await cli(["report", "--out", out, log]);
    const { page, problems } = await open(out);
    await page.locator('button[data-filter="halt"]').click();
    const halts = records.filter((entry) => entry.decision === "halt").length;
    expect(await page.locator("#timeline-table tbody tr:not(.hidden)").count()).toBe(halts);
    expect(await page.locator('button[data-filter="halt"]').getAttribute("aria-pressed")).toBe("true");
    await page.locator('button[data-filter="all"]').click();
    await page.locator("#session-filter").selectOption("s-2");
    expect(await page.locator("#timeline-table tbody tr:not(.hidden)").count()).toBe(records.filter((entry) => entry.sessionId === "s-2").length);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows the classes touched, the containment steps and the approvals of a conversation", async () => {
    const out = join(tempDir(), "conv-1.html");
    await cli(["report", "--thread-id", "conv-1", "--out", out, log]);
    const { page, problems } = await open(out);
    const containment = await page.locator("#containment tbody tr").allTextContents();
    expect(containment.some((row) => row.includes("alert") && row.includes("support-records-alert"))).toBe(true);
    expect(containment.some((row) => row.includes("halt") && row.includes("support-records-halt"))).toBe(true);
    const approvals = await page.locator("#approvals tbody tr").allTextContents();
    expect(approvals).toHaveLength(1);
    expect(approvals[0]).toContain("crm/update_order");
    expect(approvals[0]).toContain("approved");
    expect(approvals[0]).toContain("alice@acme.example");
    expect(await page.locator('[data-count="halt"]').textContent()).toBe(String(records.filter((entry) => entry.trace?.threadId === "conv-1" && entry.decision === "halt" && ["call", "result", "start"].includes(entry.event)).length));
    expect(await page.locator("header p").textContent()).toContain("thread-id conv-1");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("escapes whatever a tool or session is called: markup in a name stays text", async () => {
    const hostile = { ...record(1), tool: `<img src=x onerror="document.title='pwned'">`, sessionId: `"><script>document.title='pwned'</script>`, classes: ["</style><b>x</b>"] };
    const file = join(tempDir(), "hostile.html");
    writeFileSync(file, renderReport([hostile], { generatedAt: new Date(Date.UTC(2026, 11, 1)) }));
    const { page, problems } = await open(file);
    expect(await page.title()).toBe("purpose-guard audit report");
    expect(await page.locator("#timeline-table tbody td").nth(3).textContent()).toContain("<img src=x");
    expect(await page.locator("img").count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("escapes a verdict, declaration version and latency that hold markup, even from a caller that skipped validation", () => {
    const hostile = [
      { ...record(1), decision: 'allow"/><foreignObject><a href="https://evil.example/">INJECTED</a></foreignObject><circle class="' },
      { ...record(2), declaration: { id: "x", version: '<meta http-equiv="refresh" content="0;url=https://evil.example/">', digest: "0".repeat(64) } },
      { ...record(3), latencyUs: "<b>INJECTED-LATENCY</b>" },
    ] as unknown as AuditRecord[];
    for (const entry of hostile) {
      const html = renderReport([entry], { generatedAt: new Date(Date.UTC(2026, 11, 1)) });
      expect(html).not.toMatch(/<foreignObject|<a href|<meta http-equiv="refresh"|<b>INJECTED/);
    }
  });

  it("renders a log too large to spread into one call's arguments", () => {
    const many = Array.from({ length: 300_000 }, () => record(1));
    const html = renderReport(many, { generatedAt: new Date(Date.UTC(2026, 11, 1)), maxRows: 10 });
    expect(html).toContain("Showing the last 10 of 300000 records");
  });

  it("skips lines that parse but are not records, naming the first, and reports the others", async () => {
    const path = join(tempDir(), "malformed.jsonl");
    const lines = [{ ...record(1), declaration: undefined }, { ...record(2), classes: "pii.email" }, { ...record(3), time: "yesterday" }, record(4)];
    writeFileSync(path, `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`);
    const out = join(tempDir(), "malformed.html");
    const run = await cli(["report", "--only", "--out", out, path]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(": 1 record (all records)");
    expect(run.stderr).toContain(`skipped 3 unreadable lines (first: ${path}:1: \`declaration\` is missing)`);
  });

  it("renders an empty selection as an empty report, not an error", async () => {
    const out = join(tempDir(), "empty.html");
    const run = await cli(["report", "--session", "nobody", "--out", out, log]);
    expect(run.code).toBe(0);
    expect(readFileSync(out, "utf8")).toContain("0 records");
  });
});
