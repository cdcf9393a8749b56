/**
 * Nomad's client RPCs (the ones its servers forward to the node that runs an allocation) as they
 * travel over the agent's channel (the same WebSocket that carries actions): the API sends a
 * request, the agent answers with one or more reply parts. A unary call has parts whose `BodyText`
 * joined is its JSON answer, or one part with `Error`; a stream (`FileSystem.Stream`) has parts with `Data` in order of `Seq`, the last
 * one `Done`. Parts stay small (API Gateway takes at most 32 KiB per WebSocket frame).
 */
export type ClientRpcMethod =
  | 'Allocations.Signal'
  | 'Allocations.Restart'
  | 'Allocations.Stats'
  | 'Allocations.GarbageCollect'
  | 'Allocations.GarbageCollectAll'
  | 'ClientStats.Stats'
  | 'FileSystem.List'
  | 'FileSystem.Stat'
  | 'FileSystem.Stream';

export interface SignalArgs {
  AllocID: string;
  Task: string;
  Signal: string;
}

export interface RestartArgs {
  AllocID: string;
  TaskName: string;
  AllTasks: boolean;
}

export interface AllocArgs {
  AllocID: string;
  Task?: string;
}

export interface FsPathArgs {
  AllocID: string;
  Path: string;
}

/** Nomad's FsStreamRequest: `cat` and `readat` are plain streams without follow. */
export interface FsStreamArgs extends FsPathArgs {
  Offset: number;
  Origin: 'start' | 'end';
  Limit: number;
  Follow: boolean;
}

export interface ClientRpcRequest {
  Type: 'rpc.request';
  ID: string;
  Method: ClientRpcMethod;
  Args: Record<string, unknown>;
}

/** The caller went away: the agent stops a stream. */
export interface ClientRpcCancel {
  Type: 'rpc.cancel';
  ID: string;
}

/** An error as Nomad's client returns it: the message, and the HTTP status when the client gives one. */
export interface ClientRpcError {
  Code?: number;
  Message: string;
}

/** A piece of a streamed file: where its data ends in the file, and a file event (`file deleted`, `file truncated`). */
export interface StreamPiece {
  Offset: number;
  Data?: string;
  File: string;
  FileEvent?: string;
}

export interface ClientRpcReply {
  Type: 'rpc.reply';
  ID: string;
  Seq: number;
  Done: boolean;
  /** A unary call's answer as JSON text, split over parts when long (joined in order of Seq). */
  BodyText?: string;
  Error?: ClientRpcError;
  Piece?: StreamPiece;
}

/** How much file data one stream part carries (raw bytes; base64 and the envelope stay under 32 KiB). */
export const STREAM_PART_BYTES = 16 * 1024;

/** How much JSON text of an answer one part carries. */
export const BODY_PART_CHARS = 24 * 1024;
