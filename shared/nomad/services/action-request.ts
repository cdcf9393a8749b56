/** What a caller asks of the action relay: an action of a job's task, or (no job or action) an exec. */
export interface ActionRequest {
  jobId: string;
  namespace: string;
  action: string;
  allocId: string;
  task: string;
  tty: boolean;
  handshake: boolean;
  /** `WebSocket /v1/client/allocation/:id/exec`: the command (no job or action then). */
  command?: string[];
}
