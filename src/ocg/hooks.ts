// How an optional runtime profile plugs into the gateway and the client without the protocol code
// knowing it (src/lowlatency implements one). Every hook is optional and runs on the event loop.
export interface OcgRuntimeHooks {
  /** The gateway listens, or the client was started. */
  onStart?(): void;
  /** The gateway stopped listening, or the client was closed; undoes onStart. */
  onStop?(): void;
  /**
   * Nothing is in flight at this moment: the gateway's replies to a batch of requests went out, or
   * the client's last request was answered. A moment for housekeeping that must not delay a message.
   */
  onIdle?(): void;
}
