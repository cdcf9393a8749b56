import type { Evaluation } from '../structs/evaluation';
import { evaluationStub } from './evaluation-stub';

/** Nomad's evaluations carry `omitempty` on most fields: zero values are left out. */
const ALWAYS = new Set(['ID', 'Namespace', 'Priority', 'Type', 'TriggeredBy', 'JobID', 'Status', 'CreateIndex', 'ModifyIndex', 'CreateTime', 'ModifyTime']);

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === 0 || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

export function evaluationWire(evaluation: Evaluation): Record<string, unknown> {
  return Object.fromEntries(Object.entries(evaluation).filter(([key, value]) => ALWAYS.has(key) || !isEmpty(value)));
}

/** `GET /v1/evaluation/:id?related=true`: the evaluation with the stubs of its chain. */
export function evaluationWithRelated(evaluation: Evaluation, related: Evaluation[]): Record<string, unknown> {
  return { ...evaluationWire(evaluation), RelatedEvals: related.map(evaluationStub) };
}
