import type { TagResult } from '../services/tag-job-version';
import { writeQueryMeta } from './query-meta';

/** Nomad's JobTagResponse: the tag put on a version, or a zero tag after an untag. */
export function jobTagResponse(result: TagResult) {
  return {
    Name: result.tag?.Name ?? '',
    Description: result.tag?.Description ?? '',
    TaggedTime: result.tag?.TaggedTime ?? 0,
    ...writeQueryMeta(result.index),
  };
}
