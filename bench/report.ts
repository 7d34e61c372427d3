// The one machine-readable line every benchmark prints.
export function bench(name: string, value: number, unit: string, extra: Record<string, string | number> = {}): void {
  const v = Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 3 : 1);
  const tail = Object.entries(extra)
    .map(([k, x]) => ` ${k}=${x}`)
    .join('');
  console.log(`BENCH name=${name} value=${v} unit=${unit}${tail}`);
}

/** CPU time of this process (user + system, every thread) since `start` (a process.cpuUsage() reading), in ms. */
export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return Math.round((u.user + u.system) / 1000);
}
