import { createRequire } from 'node:module';
import type ssh2 from 'ssh2';

const require = createRequire(import.meta.url);

/** ssh2's algorithm lists, which it does not export. */
export interface Ssh2Constants {
  DEFAULT_KEX: string[];
  SUPPORTED_KEX: string[];
  DEFAULT_SERVER_HOST_KEY: string[];
  SUPPORTED_SERVER_HOST_KEY: string[];
  DEFAULT_CIPHER: string[];
  SUPPORTED_CIPHER: string[];
  DEFAULT_MAC: string[];
  SUPPORTED_MAC: string[];
}

// Only the client side of the SSH library: its index also loads the server, key generation and HTTP agents,
// which every cold connect would pay for.
export const Client = require('ssh2/lib/client.js') as typeof ssh2.Client;
export const { BaseAgent, OpenSSHAgent } = require('ssh2/lib/agent.js') as Pick<typeof ssh2, 'BaseAgent' | 'OpenSSHAgent'>;
export const { parseKey } = require('ssh2/lib/protocol/keyParser.js') as Pick<typeof ssh2.utils, 'parseKey'>;
export const constants = require('ssh2/lib/protocol/constants.js') as Ssh2Constants;
