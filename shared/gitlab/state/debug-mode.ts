/**
 * Whether a job runs in debug mode (`Ci::Build#debug_mode?`): `CI_DEBUG_TRACE` or
 * `CI_DEBUG_SERVICES` true among its variables (the last value of a key wins, as in the job's
 * variable collection), read with `Gitlab::Utils.to_boolean`. Pure.
 */
const TRUE = /^(true|t|yes|y|1|on)$/i;

export function isDebugMode(variables: readonly { key: string; value: string }[]): boolean {
  const last = (key: string) => variables.findLast((variable) => variable.key === key)?.value;
  return [last('CI_DEBUG_SERVICES'), last('CI_DEBUG_TRACE')].some((value) => value !== undefined && TRUE.test(value));
}
