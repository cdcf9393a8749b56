/**
 * Go's time.Duration.String(), for the texts Nomad's task events carry ("Task restarting in
 * 15.2s", `interval 30m0s`): `1h2m3.5s`, `150ms`, `0s`. Takes nanoseconds.
 */
function trimFraction(value: string): string {
  return value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
}

export function formatGoDuration(nanos: number): string {
  if (nanos === 0) return '0s';
  const sign = nanos < 0 ? '-' : '';
  const abs = Math.abs(Math.round(nanos));
  if (abs < 1_000) return `${sign}${abs}ns`;
  if (abs < 1_000_000) return `${sign}${trimFraction((abs / 1_000).toFixed(3))}µs`;
  if (abs < 1_000_000_000) return `${sign}${trimFraction((abs / 1_000_000).toFixed(6))}ms`;
  const totalSeconds = abs / 1_000_000_000;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds - hours * 3600) / 60);
  const seconds = trimFraction((totalSeconds - hours * 3600 - minutes * 60).toFixed(9));
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}
