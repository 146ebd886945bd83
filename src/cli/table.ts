/** Plain-text tables, aligned like kubectl's. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  // A loop, not a spread into Math.max: a spread of 100,000 rows overflows the call stack.
  const widths = headers.map((h) => h.length);
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('   ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}
