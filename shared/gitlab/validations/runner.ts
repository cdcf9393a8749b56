import { addError, checkLength, type ModelErrors } from './messages';

/**
 * GitLab's `Ci::Runner` validations on what a runner is created or registered with: description
 * and maintenance note ≤ 1024, at most 50 tags, each a tag name of at most 255 characters.
 */
export interface RunnerFields {
  description: string;
  maintenanceNote: string | null;
  tagList: string[];
}

const MAX_TAGS = 50;

export function runnerErrors(runner: RunnerFields): ModelErrors {
  const errors: ModelErrors = {};
  if (runner.tagList.length > MAX_TAGS) addError(errors, 'tags_list', `Too many tags specified. Please limit the number of tags to ${MAX_TAGS}`);
  checkLength(errors, 'description', runner.description, 1024);
  checkLength(errors, 'maintenance_note', runner.maintenanceNote, 1024);
  if (runner.tagList.some((tag) => [...tag].length > 255)) addError(errors, 'tag_list', 'is too long (maximum is 255 characters)');
  return errors;
}
