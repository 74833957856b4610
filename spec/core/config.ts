/**
 * Generation parameters. Each CONFIG_* constant is the default of a
 * `spgen generate` option (e.g. `--max-message-size`); the option overrides
 * the printed value, the spec keeps the default the oracle is tested with.
 */

/** Largest WebSocket message, in bytes, a connection accepts or sends (close code 1009 beyond it). */
export const CONFIG_MAX_MESSAGE_SIZE = 1048576;

/** How many WebSocket connections the plugin can hold at once. */
export const CONFIG_MAX_CONNECTIONS = 16;

/** Bytes of messages that may wait in a connection's send queue (CONNECTING or reconnecting). */
export const CONFIG_SEND_QUEUE_BYTES = 262144;

/** Milliseconds to wait for the server to close TCP after the close handshake. */
export const CONFIG_CLOSE_TIMEOUT_MS = 5000;

/** Largest HTTP response header block accepted during the opening handshake. */
export const CONFIG_MAX_HANDSHAKE_RESPONSE = 65536;

/**
 * Bytes of a message each connection keeps in its own buffer; a longer message
 * is spilled (decoder Spill events) to memory the plugin allocates while it
 * arrives, so idle connections hold only this much.
 */
export const CONFIG_MESSAGE_BUFFER = 16384;

/**
 * permessage-deflate (RFC 7692): log2 of the window each connection's
 * inflater keeps (9..15; zlib raw streams never use 8). Below 15 the client
 * offers server_max_window_bits with this value, so a connection holds
 * 2^bits bytes of window instead of 32 KiB.
 */
export const CONFIG_INFLATE_WINDOW_BITS = 15;
