import type { Allocation } from './allocation';
import type { Deployment } from './deployment';
import type { Evaluation } from './evaluation';
import type { Job } from './job';
import type { Node } from './node';
import type { VariableMetadata } from './variable';

/** A stored object as it was before a change and is after it (absent: created, or deleted). */
export type ObjectChange =
  | { kind: 'job'; before?: Job; after?: Job }
  | { kind: 'eval'; before?: Evaluation; after?: Evaluation }
  | { kind: 'alloc'; before?: Allocation; after?: Allocation }
  | { kind: 'deployment'; before?: Deployment; after?: Deployment }
  | { kind: 'node'; before?: Node; after?: Node }
  | { kind: 'variable'; before?: VariableMetadata; after?: VariableMetadata };
