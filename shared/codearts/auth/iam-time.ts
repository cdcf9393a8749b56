/** IAM's timestamps: UTC with microseconds, `2024-05-01T08:00:00.123000Z`. */
export function iamTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000Z');
}
