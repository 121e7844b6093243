/**
 * The connection pools of one SDK client. Directly: keep-alive agents the SDK makes. Through
 * a proxy (HTTPS_PROXY / HTTP_PROXY / NO_PROXY, read in core/proxy.ts, decided from the
 * client's endpoint as the AWS CLI decides): https-proxy-agent, which opens a CONNECT tunnel
 * and speaks TLS to the endpoint inside it (trusting the same CAs, NODE_EXTRA_CA_CERTS
 * included), or http-proxy-agent for an http endpoint. Those are imported only when a proxy
 * applies, so a run without one never loads them.
 */
import type { Agent } from 'node:http';
import { PROXY_VARIABLES, proxyFor } from '../core/proxy.js';
import type { Service } from './target.js';

/** Many concurrent batches share one keep-alive pool; the SDK default (50) would queue them. */
export const POOL = { keepAlive: true, maxSockets: 256 } as const;

export interface ClientAgents {
  httpAgent: Agent | typeof POOL;
  httpsAgent: Agent | typeof POOL;
}

/** What a client's requests go through, filled in once its handler is made (for error messages). */
export interface ProxyUse {
  proxy?: string;
  agents: Agent[];
}

export const anyProxyVariable = (env: NodeJS.ProcessEnv = process.env): boolean => PROXY_VARIABLES.some((n) => env[n]?.trim());

/** The endpoint the SDK picks for a service when none is given: the host NO_PROXY is matched against. */
export function awsEndpoint(service: Service, region: string): string {
  const host = service === 'cloudwatch' ? 'monitoring' : service;
  return `https://${host}.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

/** The agents for requests to `endpoint`: a proxy agent when a proxy applies to it, the plain pool otherwise. */
export async function agentsFor(endpoint: string, use: ProxyUse): Promise<ClientAgents> {
  const proxy = proxyFor(endpoint);
  if (!proxy) return { httpAgent: POOL, httpsAgent: POOL };
  use.proxy = proxy;
  if (new URL(endpoint).protocol === 'https:') {
    const { HttpsProxyAgent } = await import('https-proxy-agent');
    // agent-base guesses https from the call stack, which it cannot see when a socket is freed: the
    // socket is pooled under an http name and never found again (a new tunnel and handshake per call).
    class Tunnel extends HttpsProxyAgent<string> {
      override isSecureEndpoint(): boolean {
        return true;
      }
    }
    const agent = new Tunnel(proxy, POOL);
    use.agents.push(agent);
    return { httpAgent: POOL, httpsAgent: agent };
  }
  const { HttpProxyAgent } = await import('http-proxy-agent');
  const agent = new HttpProxyAgent(proxy, POOL);
  use.agents.push(agent);
  return { httpAgent: agent, httpsAgent: POOL };
}
