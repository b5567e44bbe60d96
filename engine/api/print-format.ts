/** How `print()` renders a record: strings as they are, everything else as compact JSON. */
export function formatForPrint(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return `${value}n`;
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Map ? Object.fromEntries(v) : v)) ?? String(value);
  } catch {
    return String(value);
  }
}
