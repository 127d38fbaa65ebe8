/** How data findings read on a terminal: blocking first, one line each, evidence on demand. */
import type { Finding } from '../findings.js';

const MARK = { block: '✗', warn: '!', info: '·' } as const;
const ORDER = { block: 0, warn: 1, info: 2 } as const;

/** Findings as lines, blocking first; `info` ones only when `verbose`. */
export function renderFindings(findings: readonly Finding[], verbose = false): string[] {
  const shown = [...findings]
    .filter((f) => verbose || f.severity !== 'info')
    .sort((a, b) => ORDER[a.severity] - ORDER[b.severity] || a.check.localeCompare(b.check));
  const lines = shown.map(
    (f) =>
      `  ${MARK[f.severity]} ${f.check}${f.column === undefined ? '' : ` [${f.column}]`}: ${f.message}${f.acknowledged ? ` (acknowledged: ${f.acknowledged})` : ''}`,
  );
  const counts = { block: 0, warn: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  const hidden = verbose ? 0 : counts.info;
  lines.unshift(
    `Findings: ${counts.block} blocking, ${counts.warn} warning(s), ${counts.info} note(s)${hidden > 0 ? ' (notes hidden; --verbose shows them)' : ''}`,
  );
  return lines;
}
