/** Plain-text tables for the commands' reports: columns as wide as their widest cell, two spaces apart. */

export interface Columns {
  /** The header, an optional rule of dashes under it, then one line per row. */
  lines: string[];
  widths: number[];
}

/**
 * Lays `header` and `rows` out in columns: the columns named in `left` (by index: text, such as a name)
 * flush left, the others (figures) flush right. `rule`: a line of dashes under the header.
 */
export function columns(
  header: string[],
  rows: string[][],
  options: { left?: number[]; rule?: boolean } = {},
): Columns {
  const left = options.left ?? [0];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (left.includes(i) ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  const rule = options.rule ? [line(widths.map((w) => '-'.repeat(w)))] : [];
  return { lines: [line(header), ...rule, ...rows.map(line)], widths };
}
