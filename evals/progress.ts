/**
 * A progress bar on stderr. On a terminal it redraws one line (at most ten times a second); elsewhere (CI logs) it
 * prints a line every tenth of the way, so logs stay short and still show the run is alive.
 */
export interface Progress {
  step(label: string): void;
  done(summary?: string): void;
}

export function progressBar(stream: { write(chunk: string): unknown; isTTY?: boolean }, total: number, title: string, enabled = true): Progress {
  let done = 0;
  let lastDraw = 0;
  let lastDecile = -1;
  const started = Date.now();
  const tty = stream.isTTY === true;
  const draw = (label: string) => {
    const fraction = total === 0 ? 1 : done / total;
    if (tty) {
      const width = 28;
      const filled = Math.round(fraction * width);
      const eta = done > 0 ? ((Date.now() - started) / done) * (total - done) : 0;
      const line = `${title} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${done}/${total}${done < total && eta > 1000 ? ` eta ${Math.ceil(eta / 1000)}s` : ""}  ${label}`;
      stream.write(`\r${line.slice(0, 150).padEnd(150)}`);
    } else {
      const decile = Math.floor(fraction * 10);
      if (decile !== lastDecile) {
        lastDecile = decile;
        stream.write(`${title}: ${done}/${total} (${decile * 10}%)\n`);
      }
    }
  };
  return {
    step(label) {
      done++;
      if (!enabled) return;
      const now = Date.now();
      if (!tty || now - lastDraw > 100 || done === total) {
        lastDraw = now;
        draw(label);
      }
    },
    done(summary) {
      if (!enabled) return;
      if (tty) stream.write(`\r${" ".repeat(150)}\r`);
      stream.write(`${title}: ${summary ?? `${done} sessions`} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    },
  };
}
