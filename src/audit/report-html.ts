import { createHash } from "node:crypto";
import type { AuditRecord } from "../model/audit-record.js";
import type { Decision } from "../model/verdict.js";

export interface ReportOptions {
  readonly title?: string;
  /** What the report covers, in words (`session s-42`, `2026-12-01 09:00 to 10:00`). */
  readonly scope?: string;
  readonly generatedAt: Date;
  /** Rows in the timeline at most (the most recent are kept); default 5000. */
  readonly maxRows?: number;
}

const DECISIONS: readonly Decision[] = ["allow", "redact", "ask", "deny", "halt"];

/**
 * Renders audit records as one self-contained HTML page: no external resource, a Content-Security-Policy that
 * allows only the page's own style and script (by hash), every value escaped. Sections: summary, declarations and
 * policy revisions, a timeline of calls and verdicts per session (lanes and a filterable table), classes touched,
 * containment steps and approvals. Audit records hold no raw values, so neither does the page.
 */
export function renderReport(records: readonly AuditRecord[], options: ReportOptions): string {
  const sorted = [...records].sort((a, b) => a.time.localeCompare(b.time));
  const maxRows = options.maxRows ?? 5000;
  const shown = sorted.length > maxRows ? sorted.slice(-maxRows) : sorted;
  const decisions = sorted.filter((record) => record.event === "call" || record.event === "result" || record.event === "start");
  const sessions = [...new Set(sorted.map((record) => record.sessionId ?? "—"))];
  const title = options.title ?? "purpose-guard audit report";
  const span = sorted.length > 0 ? `${sorted[0]!.time} to ${sorted[sorted.length - 1]!.time}` : "no records";

  const body = [
    `<header><h1>${esc(title)}</h1><p class="muted">${esc(options.scope ?? "all records")} · ${sorted.length} records, ${esc(span)} · generated ${esc(options.generatedAt.toISOString())}</p></header>`,
    summary(decisions, sorted),
    declarations(sorted),
    `<section id="timeline"><h2>Timeline</h2>${controls(sessions)}${lanes(sorted, sessions)}${sorted.length > shown.length ? `<p class="muted">Showing the last ${shown.length} of ${sorted.length} records; narrow the report with --session, --thread-id or --since.</p>` : ""}${timelineTable(shown)}</section>`,
    classes(decisions),
    containment(sorted),
    approvals(sorted),
    `<footer class="muted">Check the log's integrity with <code>purpose-guard audit verify FILE</code>. Records hold classes, pointers and digests, never raw values.</footer>`,
  ].join("\n");

  const style = STYLE;
  const script = SCRIPT;
  const csp = `default-src 'none'; style-src '${hash(style)}'; script-src '${hash(script)}'; img-src data:; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${style}</style>
</head>
<body>
${body}
<script>${script}</script>
</body>
</html>
`;
}

function summary(decisions: readonly AuditRecord[], all: readonly AuditRecord[]): string {
  const count = (decision: Decision) => decisions.filter((record) => record.decision === decision).length;
  const alerts = all.filter((record) => record.event === "alert" || (record.event === "containment" && record.detail?.["level"] === "alert")).length;
  const approvalIds = new Set(all.filter((record) => record.event === "approval").map((record) => String(record.detail?.["approvalId"] ?? record.decisionId)));
  const cards: [string, number, string][] = [
    ["decisions", decisions.length, ""],
    ...DECISIONS.map((decision): [string, number, string] => [decision, count(decision), decision]),
    ["alerts", alerts, "alert"],
    ["approvals", approvalIds.size, "ask"],
  ];
  return `<section id="summary" class="cards">${cards.map(([label, value, kind]) => `<div class="card ${kind}"><b data-count="${esc(label)}">${value}</b><span>${esc(label)}</span></div>`).join("")}</section>`;
}

function declarations(records: readonly AuditRecord[]): string {
  const seen = new Map<string, { id: string; version: number; digest: string; revisions: Set<string>; count: number }>();
  for (const record of records) {
    const key = record.declaration.digest;
    let entry = seen.get(key);
    if (!entry) seen.set(key, (entry = { ...record.declaration, revisions: new Set(), count: 0 }));
    entry.revisions.add(record.policyRevision);
    entry.count++;
  }
  const rows = [...seen.values()].map((d) => `<tr><td>${esc(d.id)}</td><td>${esc(String(d.version))}</td><td><code title="${esc(d.digest)}">${esc(d.digest.slice(0, 16))}…</code></td><td>${[...d.revisions].map((revision) => `<code>${esc(revision)}</code>`).join(" ")}</td><td>${esc(String(d.count))}</td></tr>`);
  return `<section id="declarations"><h2>Declarations and policy revisions</h2>${rows.length === 0 ? `<p class="muted">none</p>` : `<table><thead><tr><th>declaration</th><th>version</th><th>digest</th><th>policy revisions</th><th>records</th></tr></thead><tbody>${rows.join("")}</tbody></table>`}</section>`;
}

function controls(sessions: readonly string[]): string {
  const buttons = ["all", ...DECISIONS].map((decision) => `<button type="button" data-filter="${decision}"${decision === "all" ? ` aria-pressed="true"` : ""}>${decision}</button>`).join("");
  const options = sessions.map((session) => `<option value="${esc(session)}">${esc(session)}</option>`).join("");
  return `<div class="controls"><span role="group" aria-label="verdict">${buttons}</span><label>session <select id="session-filter"><option value="">all</option>${options}</select></label><span id="row-count" class="muted"></span></div>`;
}

/** One lane per session: each decision a dot on a shared time axis, coloured by verdict. */
function lanes(records: readonly AuditRecord[], sessions: readonly string[]): string {
  if (records.length === 0) return "";
  const times = records.map((record) => Date.parse(record.time));
  // A loop, not Math.min(...times): spreading a large log's times overflows the call stack.
  let start = Infinity;
  let end = -Infinity;
  for (const time of times) {
    if (time < start) start = time;
    if (time > end) end = time;
  }
  const width = 960;
  const lane = 22;
  const left = 150;
  const shownSessions = sessions.slice(0, 40);
  const dots = records.flatMap((record, index) => {
    const laneIndex = shownSessions.indexOf(record.sessionId ?? "—");
    if (laneIndex === -1) return [];
    const x = left + (end === start ? (width - left) / 2 : ((times[index]! - start) / (end - start)) * (width - left - 10) + 5);
    const y = laneIndex * lane + lane / 2;
    const label = `${record.time} ${record.event} ${record.server ?? ""}/${record.tool ?? ""} ${record.decision} ${record.policyIds.join(", ")}`;
    const shape = record.event === "containment" || record.event === "alert" ? `<rect x="${(x - 5).toFixed(1)}" y="${y - 5}" width="10" height="10" class="dot ${esc(record.decision)}"><title>${esc(label)}</title></rect>` : `<circle cx="${x.toFixed(1)}" cy="${y}" r="4.5" class="dot ${esc(record.decision)}"><title>${esc(label)}</title></circle>`;
    return [shape];
  });
  const labels = shownSessions.map((session, index) => `<text x="4" y="${index * lane + lane / 2 + 4}" class="lane-label">${esc(session.length > 20 ? `${session.slice(0, 19)}…` : session)}</text><line x1="${left}" x2="${width}" y1="${index * lane + lane / 2}" y2="${index * lane + lane / 2}" class="lane"/>`);
  const height = shownSessions.length * lane + 4;
  return `<svg id="lanes" role="img" aria-label="decisions over time, one lane per session" viewBox="0 0 ${width} ${height}" width="100%" height="${height}">${labels.join("")}${dots.join("")}</svg>`;
}

function timelineTable(records: readonly AuditRecord[]): string {
  const rows = records.map((record) => {
    const tool = record.tool ? `${record.server ?? ""}/${record.tool}` : "";
    const detail = record.detail ? Object.entries(record.detail).map(([key, value]) => `${key}=${String(value)}`).join(" ") : "";
    const thread = record.trace?.threadId ?? record.trace?.conversationId ?? "";
    return `<tr data-decision="${esc(record.decision)}" data-session="${esc(record.sessionId ?? "—")}" data-event="${esc(record.event)}"><td class="nowrap">${esc(record.time.replace("T", " ").replace("Z", ""))}</td><td>${esc(record.sessionId ?? "—")}${thread ? `<br><span class="muted">${esc(thread)}</span>` : ""}</td><td>${esc(record.event)}</td><td>${esc(tool)}${record.intent ? ` <span class="muted">${esc(record.intent)}</span>` : ""}</td><td><span class="badge ${esc(record.decision)}">${esc(record.decision)}</span></td><td>${record.policyIds.map((id) => `<code>${esc(id)}</code>`).join(" ")}</td><td>${record.classes.map((cls) => `<span class="cls">${esc(cls)}</span>`).join(" ")}</td><td class="muted">${esc(detail)}</td><td class="num">${esc(String(record.latencyUs))}</td></tr>`;
  });
  return `<table id="timeline-table"><thead><tr><th>time (UTC)</th><th>session / thread</th><th>event</th><th>tool</th><th>verdict</th><th>policies</th><th>classes</th><th>detail</th><th>µs</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function classes(decisions: readonly AuditRecord[]): string {
  const byClass = new Map<string, { calls: number; results: number; blocked: number; redacted: number; sessions: Set<string> }>();
  for (const record of decisions) {
    for (const cls of record.classes) {
      let entry = byClass.get(cls);
      if (!entry) byClass.set(cls, (entry = { calls: 0, results: 0, blocked: 0, redacted: 0, sessions: new Set() }));
      if (record.event === "call") entry.calls++;
      if (record.event === "result") entry.results++;
      if (record.decision === "deny" || record.decision === "halt") entry.blocked++;
      if (record.decision === "redact") entry.redacted++;
      entry.sessions.add(record.sessionId ?? "—");
    }
  }
  const rows = [...byClass.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([cls, e]) => `<tr><td><span class="cls">${esc(cls)}</span></td><td class="num">${e.calls}</td><td class="num">${e.results}</td><td class="num">${e.redacted}</td><td class="num">${e.blocked}</td><td class="num">${e.sessions.size}</td></tr>`);
  return `<section id="classes"><h2>Classes touched</h2>${rows.length === 0 ? `<p class="muted">no classified data in these records</p>` : `<table><thead><tr><th>class</th><th>in arguments</th><th>in results</th><th>redacted</th><th>denied or halted</th><th>sessions</th></tr></thead><tbody>${rows.join("")}</tbody></table>`}</section>`;
}

function containment(records: readonly AuditRecord[]): string {
  const steps = records.filter((record) => record.event === "containment" || record.event === "alert");
  const rows = steps.map((record) => {
    const level = String(record.detail?.["level"] ?? (record.event === "alert" ? "alert" : record.decision));
    const rest = record.detail ? Object.entries(record.detail).filter(([key]) => key !== "level").map(([key, value]) => `${key}=${String(value)}`).join(" ") : "";
    return `<tr><td class="nowrap">${esc(record.time)}</td><td>${esc(record.sessionId ?? "—")}</td><td><span class="badge ${esc(levelClass(level))}">${esc(level)}</span></td><td>${record.policyIds.map((id) => `<code>${esc(id)}</code>`).join(" ")}</td><td>${esc(record.tool ? `${record.server ?? ""}/${record.tool}` : "")}</td><td class="muted">${esc(rest)}</td></tr>`;
  });
  return `<section id="containment"><h2>Containment steps and alerts</h2>${rows.length === 0 ? `<p class="muted">none</p>` : `<table><thead><tr><th>time</th><th>session</th><th>step</th><th>rules and policies</th><th>tool</th><th>detail</th></tr></thead><tbody>${rows.join("")}</tbody></table>`}</section>`;
}

function approvals(records: readonly AuditRecord[]): string {
  const byId = new Map<string, { requested?: AuditRecord; answered?: AuditRecord }>();
  for (const record of records) {
    if (record.event !== "approval") continue;
    const id = String(record.detail?.["approvalId"] ?? record.decisionId);
    const entry = byId.get(id) ?? {};
    if (record.detail?.["phase"] === "requested") entry.requested = record;
    else entry.answered = record;
    byId.set(id, entry);
  }
  const rows = [...byId.entries()].map(([id, { requested, answered }]) => {
    const first = requested ?? answered!;
    const phase = String(answered?.detail?.["phase"] ?? "pending");
    const waited = requested && answered ? `${Math.round((Date.parse(answered.time) - Date.parse(requested.time)) / 1000)} s` : "";
    return `<tr><td><code title="${esc(id)}">${esc(id.slice(0, 8))}</code></td><td class="nowrap">${esc(first.time)}</td><td>${esc(first.sessionId ?? "—")}</td><td>${esc(first.tool ? `${first.server ?? ""}/${first.tool}` : "")}</td><td>${first.policyIds.map((policy) => `<code>${esc(policy)}</code>`).join(" ")}</td><td><span class="badge ${phase === "approved" ? "allow" : phase === "pending" ? "ask" : "deny"}">${esc(phase)}</span></td><td>${esc(String(answered?.detail?.["approver"] ?? ""))}</td><td class="num">${esc(waited)}</td></tr>`;
  });
  return `<section id="approvals"><h2>Approvals</h2>${rows.length === 0 ? `<p class="muted">none</p>` : `<table><thead><tr><th>approval</th><th>requested</th><th>session</th><th>tool</th><th>asked by</th><th>answer</th><th>approver</th><th>waited</th></tr></thead><tbody>${rows.join("")}</tbody></table>`}</section>`;
}

function levelClass(level: string): string {
  return level === "alert" ? "alert" : level === "block" ? "deny" : level === "release" ? "allow" : "halt";
}

function hash(text: string): string {
  return `sha256-${createHash("sha256").update(text).digest("base64")}`;
}

/** Escapes text for HTML element content and double-quoted attributes. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char]!);
}

const STYLE = `
:root{--allow:#1a7f37;--redact:#8250df;--ask:#bf8700;--deny:#cf222e;--halt:#82071e;--alert:#d4a72c;--muted:#57606a;font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;background:#fff}
body{margin:0 auto;max-width:1200px;padding:24px}
h1{font-size:1.5rem;margin:0 0 4px}h2{font-size:1.15rem;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.muted{color:var(--muted)}code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85em;background:#f6f8fa;padding:1px 4px;border-radius:4px}
table{border-collapse:collapse;width:100%;font-size:.88rem}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}th{background:#f6f8fa;position:sticky;top:0}
.num{text-align:right;font-variant-numeric:tabular-nums}.nowrap{white-space:nowrap}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin-top:16px}.card{border:1px solid #d0d7de;border-radius:8px;padding:10px 14px;min-width:90px}.card b{display:block;font-size:1.4rem}.card span{color:var(--muted);font-size:.85rem}
.card.allow b{color:var(--allow)}.card.redact b{color:var(--redact)}.card.ask b{color:var(--ask)}.card.deny b{color:var(--deny)}.card.halt b{color:var(--halt)}.card.alert b{color:var(--alert)}
.badge{display:inline-block;border-radius:10px;padding:1px 8px;font-size:.8rem;color:#fff;background:var(--muted)}
.badge.allow{background:var(--allow)}.badge.redact{background:var(--redact)}.badge.ask{background:var(--ask)}.badge.deny{background:var(--deny)}.badge.halt{background:var(--halt)}.badge.alert{background:var(--alert);color:#1f2328}
.cls{display:inline-block;border:1px solid #d0d7de;border-radius:4px;padding:0 4px;font-size:.8rem;margin:1px}
.controls{display:flex;gap:12px;align-items:center;margin:8px 0;flex-wrap:wrap}.controls button{border:1px solid #d0d7de;background:#f6f8fa;border-radius:6px;padding:3px 10px;cursor:pointer}.controls button[aria-pressed=true]{background:#0969da;color:#fff;border-color:#0969da}
svg .lane{stroke:#eaeef2}svg .lane-label{font-size:11px;fill:var(--muted)}svg .dot{stroke:#fff;stroke-width:1}
svg .dot.allow{fill:var(--allow)}svg .dot.redact{fill:var(--redact)}svg .dot.ask{fill:var(--ask)}svg .dot.deny{fill:var(--deny)}svg .dot.halt{fill:var(--halt)}
tr.hidden{display:none}footer{margin-top:32px;font-size:.85rem}
`;

const SCRIPT = `
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll("#timeline-table tbody tr"));
  var buttons = Array.prototype.slice.call(document.querySelectorAll("[data-filter]"));
  var select = document.getElementById("session-filter");
  var counter = document.getElementById("row-count");
  var decision = "all";
  function apply() {
    var session = select ? select.value : "";
    var visible = 0;
    rows.forEach(function (row) {
      var show = (decision === "all" || row.getAttribute("data-decision") === decision) && (!session || row.getAttribute("data-session") === session);
      row.classList.toggle("hidden", !show);
      if (show) visible++;
    });
    if (counter) counter.textContent = visible + " of " + rows.length + " records";
  }
  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      decision = button.getAttribute("data-filter") || "all";
      buttons.forEach(function (other) { other.setAttribute("aria-pressed", String(other === button)); });
      apply();
    });
  });
  if (select) select.addEventListener("change", apply);
  apply();
})();
`;
