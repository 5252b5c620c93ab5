/** Small formatting helpers shared by the commands' text output. */

/** `1h 02m`, `4m 05s`, `12s`, `850ms`; negative durations get a leading `-`. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return 'never';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${Math.round(rest)}ms`;
  rest = Math.round(rest / 1000);
  const d = Math.floor(rest / 86_400);
  const h = Math.floor((rest % 86_400) / 3600);
  const m = Math.floor((rest % 3600) / 60);
  const s = rest % 60;
  if (d > 0) return `${sign}${d}d ${String(h).padStart(2, '0')}h`;
  if (h > 0) return `${sign}${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${sign}${m}m ${String(s).padStart(2, '0')}s`;
  return `${sign}${s}s`;
}

/** `1.2 MB`, `830 B`. */
export function bytes(value: number | null | undefined): string {
  if (value === null || value === undefined) return '?';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let n = value;
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) {
    n /= 1024;
    unit++;
  }
  return `${unit === 0 ? n : n.toFixed(1)} ${units[unit]}`;
}

// ESC [ … m: the colour codes picocolors writes (built from a string: no control character in a literal).
const COLOUR_CODE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** Pads `text` to `width` columns, counting visible characters only (ANSI colour codes are invisible). */
export function pad(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const visible = text.replace(COLOUR_CODE, '').length;
  const fill = ' '.repeat(Math.max(0, width - visible));
  return align === 'left' ? text + fill : fill + text;
}
