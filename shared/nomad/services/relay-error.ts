/** Why a relayed session ends: the caller's socket is closed with this code (1008 what the caller got wrong, 1011 internal) and the message as reason. */
export class RelayError extends Error {
  constructor(
    readonly code: 1008 | 1011,
    message: string,
  ) {
    super(message);
  }
}
