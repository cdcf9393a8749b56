import timestring from 'timestring';

/**
 * GitLab's durations (`start_in`, `timeout`, `expire_in`): ChronicDuration phrases such as
 * `30 minutes`, `1h 30m`, `3 weeks and 2 days`, or a bare number of seconds. `undefined` when the
 * text is not a duration.
 */
export function parseDurationSeconds(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
  const text = value.trim().toLowerCase();
  if (/^\d+$/.test(text)) return Number(text);
  if (text === '') return undefined;
  try {
    // ChronicDuration counts a month as 30 days.
    const seconds = timestring(text.replace(/\band\b/g, ' ').replace(/\bmos?\b/g, 'mon'), 's', { monthsPerYear: 365.25 / 30 });
    return Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds) : undefined;
  } catch {
    return undefined;
  }
}
