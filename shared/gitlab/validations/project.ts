import { addError, checkLength, type ModelErrors } from './messages';
import { isWellFormed } from './text';

/**
 * GitLab's `Project` validations on the fields `POST /projects` takes, in the model's order:
 * description ≤ 2000, `ci_config_path` ≤ 255 without a leading slash or `..`, name and path
 * ≤ 255, the name's characters, the path's characters.
 */
export interface ProjectFields {
  name: string;
  path: string;
  description: string | null;
  ciConfigPath: string | null;
}

// Ruby's \p{Alnum} is letters and digits; the range is GitLab's "emoji".
const NAME_PATTERN = /^[\p{Alphabetic}\p{Nd}\u{00A9}-\u{1F9FF}_][\p{Alphabetic}\p{Nd}\p{Pd}+\u{00A9}-\u{1F9FF}_. ]*$/u;
const NAME_MESSAGE = "can contain only letters, digits, emoji, '_', '.', '+', dashes, or spaces. It must start with a letter, digit, emoji, or '_'.";
const PATH_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9_.-]*$/;
const PATH_MESSAGE = "can contain only letters, digits, '_', '-' and '.'. Cannot start with '-', end in '.git' or end in '.atom'";

export function projectErrors(project: ProjectFields): ModelErrors {
  const errors: ModelErrors = {};
  checkLength(errors, 'description', project.description, 2000);
  if (project.ciConfigPath && /\.\.|^\//.test(project.ciConfigPath)) addError(errors, 'ci_config_path', 'cannot include leading slash or directory traversal.');
  checkLength(errors, 'ci_config_path', project.ciConfigPath, 255);
  if (project.name.trim() === '') addError(errors, 'name', "can't be blank");
  checkLength(errors, 'name', project.name, 255);
  checkLength(errors, 'path', project.path, 255);
  // A lone surrogate falls inside the emoji range of a /u pattern; Ruby never sees one (not UTF-8).
  if (project.name.trim() !== '' && (!NAME_PATTERN.test(project.name) || !isWellFormed(project.name))) addError(errors, 'name', NAME_MESSAGE);
  if (!project.path || !PATH_PATTERN.test(project.path) || project.path.endsWith('.git') || project.path.endsWith('.atom')) addError(errors, 'path', PATH_MESSAGE);
  return errors;
}
