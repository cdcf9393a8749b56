import { collectionIndex, touchCollection } from '../../storage/table-index';
import type { TransactItem } from '../../storage/transact';
import { JOBS_COLLECTION, NODES_COLLECTION } from './keys';

/** Nomad's per-table indexes of the jobs and nodes collections (see storage/table-index.ts). */
export const jobsIndex = (): Promise<number> => collectionIndex(JOBS_COLLECTION);
export const nodesIndex = (): Promise<number> => collectionIndex(NODES_COLLECTION);

/** The item that moves the jobs index: job `jobId` of `namespace` changed at `index`. */
export const touchJobs = (namespace: string, jobId: string, index: number): TransactItem => touchCollection(JOBS_COLLECTION, `${namespace}/${jobId}`, index);
