/**
 * `sqsops/testing`: the embedded local AWS (fauxqs + dynalite) for tests of your own code
 * and for scripts, and the clients factory that points at it. Not on the main entry so
 * that importing `sqsops` never loads the emulators' code paths.
 */
export { startLocalAws, type LocalAws, type LocalAwsOptions } from './local/server.js';
export { ensureLocalAws, findLocalAws, stopLocalAws, resetLocalAws, localCredentials, type ServerFile } from './local/manager.js';
export type { LocalCredentials } from './local/credentials.js';
export { sqsopsHome } from './local/paths.js';
export { createClients, type AwsClients, type ResolvedTarget } from './aws/clients.js';
export { describeTarget } from './runtime/connect.js';
export { chooseTarget, type TargetChoice, type TargetFlags } from './aws/target.js';
