import type { ClientRpcCancel, ClientRpcReply, ClientRpcRequest } from './client-rpc-protocol';

/**
 * Messages on the agent's channel to the API (one WebSocket per node), by which the API relays
 * `WebSocket /v1/job/:job_id/action` sessions to the node that holds the allocation. `Frame` is
 * exactly the frame the caller receives (Nomad's exec stream frames).
 */
export interface ActionStart {
  Type: 'action.start';
  Session: string;
  AllocID: string;
  Task: string;
  Action: string;
  Tty: boolean;
  /** `alloc exec`: the command to run instead of an action (stdin then comes as `action.input`). */
  Command?: string[];
}

/** A caller's exec input frame, as Nomad's: `{stdin: {data | close}}` or `{tty_size: {height, width}}`. */
export interface ActionInput {
  Type: 'action.input';
  Session: string;
  Frame: { stdin?: { data?: string; close?: boolean }; tty_size?: { height: number; width: number } };
}

export interface ActionCancel {
  Type: 'action.cancel';
  Session: string;
}

export type ToAgent = ActionStart | ActionCancel | ActionInput | ClientRpcRequest | ClientRpcCancel;

export type NomadExecFrame =
  | { stdout: { data?: string; close?: boolean } }
  | { stderr: { data?: string; close?: boolean } }
  | { exited: true; result: { exit_code: number } };

export interface ActionFrame {
  Type: 'action.frame';
  Session: string;
  Frame: NomadExecFrame;
}

/** The session could not run: the caller's socket is closed with this code and reason. */
export interface ActionError {
  Type: 'action.error';
  Session: string;
  Code: 1008 | 1011;
  Message: string;
}

export type FromAgent = ActionFrame | ActionError | ClientRpcReply;
