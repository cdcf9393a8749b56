/** A `.gitlab-ci.yml` that GitLab would reject; the messages are GitLab's wording. */
export class ConfigError extends Error {
  constructor(readonly errors: string[]) {
    super(errors.join(', '));
  }
}

/** The configuration is valid but creates no pipeline (workflow rules, or no job left by rules). */
export class PipelineFilteredError extends Error {}
