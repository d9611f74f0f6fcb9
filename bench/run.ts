/**
 * `npm run bench [name...]`: runs each `bench/*.bench.ts` in its own Node process, one after the other, so that no
 * benchmark's heap or JIT state colours another's and peak-memory figures are per benchmark. Each benchmark prints
 * its own Markdown tables; this runner prints the machine they ran on first.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((file) => file.endsWith(".bench.ts"))
  .filter((file) => wanted.length === 0 || wanted.some((name) => file.startsWith(name)))
  .sort();

const cpu = cpus()[0]?.model ?? "unknown cpu";
console.log(`# purpose-guard benchmarks\n\nMachine: Node ${process.version}, ${cpus().length} cores (${cpu}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB; ${new Date().toISOString()}\n`);

let failed = 0;
for (const file of files) {
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--expose-gc", `${dir}${file}`], { stdio: "inherit" });
    child.on("exit", (status) => resolve(status ?? 1));
  });
  if (code !== 0) {
    failed++;
    console.error(`bench ${file} failed with exit code ${code}`);
  }
}
if (files.length === 0) console.error(`no benchmark matches ${wanted.join(", ")}`);
process.exitCode = failed > 0 || files.length === 0 ? 1 : 0;
