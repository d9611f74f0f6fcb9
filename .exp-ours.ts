import { createClassifier } from "/work/wt/classify/src/classify/classify.js";
import { loadCorpus, score, prf } from "/work/wt/classify/bench/pii-corpus.js";
const map: Record<string,string> = { "pii.email":"email","pii.phone":"phone","pii.name":"person","pii.address":"address","pii.ssn":"ssn","financial.card":"credit_card","financial.iban":"iban","network.ip":"ip","network.ip.internal":"ip" };
const t0=performance.now();
const c = createClassifier();
console.log("construct ms", performance.now()-t0);
const recs = loadCorpus("/work/shared/datasets/pii-corpus");
const preds = recs.map(r => c.classify(r.text).map(f => ({ start: f.start, end: f.end, label: f.class.startsWith("secret.") ? "secret" : map[f.class] ?? f.class })));
const s = score(recs, preds, ["email","phone","person","address","ssn","credit_card","iban","ip","secret"]);
for (const [k,v] of s.spans) { const x=prf(v); console.log(k.padEnd(12), v, x.p.toFixed(2), x.r.toFixed(2), x.f1.toFixed(2)); }
const x=prf(s.secret); console.log("secret", s.secret, x.p.toFixed(2), x.r.toFixed(2), x.f1.toFixed(2), "nearmiss", s.nearMissFlagged, "/", s.nearMissTotal);
const bytes = recs.reduce((n,r)=>n+Buffer.byteLength(r.text),0);
for (let k=0;k<3;k++){ const t=performance.now(); for (const r of recs) c.classify(r.text); const dt=performance.now()-t; console.log("MB/s", (bytes/1e6/(dt/1000)).toFixed(1)); }
if (process.argv[2]==="miss") { console.log("MISSES\n"+s.secretMisses.join("\n")); console.log("FALSE ALARMS\n"+s.secretFalseAlarms.join("\n")); }
if (process.argv[2]) { const lab=process.argv[2]; if (lab!=="miss") {
  recs.forEach((r,i)=>{ if(r.level!=="span")return; const g=r.spans.filter(s=>s.label===lab).map(s=>r.text.slice(s.start,s.end)); const p=preds[i]!.filter(s=>s.label===lab).map(s=>r.text.slice(s.start,s.end)); const gs=JSON.stringify(g), ps=JSON.stringify(p); if(gs!==ps) console.log("GOLD",gs,"PRED",ps,"::",r.text.slice(0,150).replace(/\n/g,"\\n")); });
}}
