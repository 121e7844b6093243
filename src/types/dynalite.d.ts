declare module 'dynalite' {
  import type { Server } from 'node:http';
  /** dynalite's factory: an http.Server serving the DynamoDB JSON protocol. */
  export default function dynalite(options?: Record<string, unknown>): Server;
}
