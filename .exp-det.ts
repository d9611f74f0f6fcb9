import { createClassifier, DETECTOR_FAMILIES } from "./src/classify/classify.js";
import { loadCorpus } from "./bench/pii-corpus.js";
const recs = loadCorpus("/work/shared/datasets/pii-corpus");
const bytes = recs.reduce((n,r)=>n+Buffer.byteLength(r.text),0);
const res: string[] = [];
for (const only of [...DETECTOR_FAMILIES, "decode", "ALL"]) {
  const c = only === "ALL" ? createClassifier() : only === "decode" ? createClassifier({ disable: [...DETECTOR_FAMILIES] }) : createClassifier({ disable: DETECTOR_FAMILIES.filter(f=>f!==only), decode: {json:false,base64:false,hex:false,url:false} });
  for (let k=0;k<3;k++) for (const r of recs) c.classify(r.text);
  const samples: number[] = [];
  for (let k=0;k<7;k++) { const t=performance.now(); for (const r of recs) c.classify(r.text); samples.push(performance.now()-t); }
  samples.sort((a,b)=>a-b);
  res.push(`${only.padEnd(12)} min ${samples[0]!.toFixed(2)} ms  median ${samples[3]!.toFixed(2)} ms  ${(bytes/1e6/(samples[3]!/1000)).toFixed(1)} MB/s`);
}
console.log(res.join("\n"));
