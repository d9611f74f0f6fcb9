import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Writes named report files into `dir` (created if missing) and returns their paths. Each file is written beside its
 * final name and renamed, so a reader (a CI step, a browser) never sees half a report.
 */
export async function writeReportFiles(dir: string, files: readonly (readonly [name: string, text: string])[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of files) {
    const path = join(dir, name);
    await writeFile(`${path}.tmp`, text, "utf8");
    await rename(`${path}.tmp`, path);
    written.push(path);
  }
  return written;
}
