import { afterEach, describe, expect, it } from 'vitest';
import { checkProxyVariables, isLoopbackHost, PROXY_VARIABLES, proxyFor } from '../../src/core/proxy.js';
import { redact } from '../../src/core/redact.js';

const saved = Object.fromEntries([...PROXY_VARIABLES, 'no_proxy', 'NO_PROXY'].map((n) => [n, process.env[n]]));
function setEnv(vars: Record<string, string>): void {
  for (const n of Object.keys(saved)) delete process.env[n];
  Object.assign(process.env, vars);
}
afterEach(() => {
  for (const [n, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[n];
    else process.env[n] = v;
  }
});

describe('which proxy a URL goes through', () => {
  it('takes HTTPS_PROXY for https and HTTP_PROXY for http, lower case first', () => {
    setEnv({ HTTPS_PROXY: 'http://secure:3128', http_proxy: 'http://plain:3128', HTTP_PROXY: 'http://ignored:3128' });
    expect(proxyFor('https://sqs.eu-west-1.amazonaws.com')).toBe('http://secure:3128');
    expect(proxyFor('http://files.example.com/a')).toBe('http://plain:3128');
  });

  it('reads a bare host:port as an http proxy, whatever the scheme of the URL', () => {
    setEnv({ HTTPS_PROXY: 'proxy.corp:8080' });
    expect(proxyFor('https://sqs.us-east-1.amazonaws.com')).toBe('http://proxy.corp:8080');
  });

  it('goes directly to what NO_PROXY names: exact hosts, suffixes with a dot or *, host:port, or *', () => {
    setEnv({ HTTPS_PROXY: 'http://p:1', NO_PROXY: 'example.org, .internal.corp,*.amazonaws.com,files.test:8443' });
    expect(proxyFor('https://example.org/x')).toBeUndefined();
    expect(proxyFor('https://a.internal.corp/x')).toBeUndefined();
    expect(proxyFor('https://sqs.us-east-1.amazonaws.com')).toBeUndefined();
    expect(proxyFor('https://files.test:8443/x')).toBeUndefined();
    expect(proxyFor('https://files.test/x')).toBe('http://p:1');
    expect(proxyFor('https://notexample.org/x')).toBe('http://p:1');
    setEnv({ HTTPS_PROXY: 'http://p:1', no_proxy: '*' });
    expect(proxyFor('https://anything.example')).toBeUndefined();
  });

  it('reads NO_PROXY as curl and the AWS CLI do: an entry covers its subdomains, a CIDR its addresses', () => {
    setEnv({ HTTP_PROXY: 'http://p:1', NO_PROXY: 'example.org,10.0.0.0/8,fd00::/8,[::2]' });
    expect(proxyFor('http://www.example.org/x')).toBeUndefined();
    expect(proxyFor('http://10.20.30.40/x')).toBeUndefined();
    expect(proxyFor('http://[fd00::5]/x')).toBeUndefined();
    expect(proxyFor('http://[::2]/x')).toBeUndefined();
    expect(proxyFor('http://11.0.0.1/x')).toBe('http://p:1');
    expect(proxyFor('http://[fe80::1]/x')).toBe('http://p:1');
    expect(proxyFor('http://example.org.evil.test/x')).toBe('http://p:1');
    setEnv({ HTTP_PROXY: 'http://p:1', NO_PROXY: 'fd00::5,10.0.0.7:8080' });
    expect(proxyFor('http://[fd00:0::5]/x')).toBeUndefined();
    expect(proxyFor('http://10.0.0.7:8080/x')).toBeUndefined();
    expect(proxyFor('http://10.0.0.7/x')).toBe('http://p:1');
  });

  it('never proxies this machine, whatever NO_PROXY says', () => {
    setEnv({ HTTPS_PROXY: 'http://p:1', HTTP_PROXY: 'http://p:1' });
    for (const url of [
      'http://localhost:4566',
      'http://127.0.0.1:4566',
      'http://127.9.9.9/',
      'http://[::1]:80/',
      'http://api.localhost/',
    ]) {
      expect(proxyFor(url), url).toBeUndefined();
    }
    expect(proxyFor('http://10.0.0.5/')).toBe('http://p:1');
  });

  it('knows loopback in every spelling the URL parser leaves', () => {
    expect(['localhost', 'LOCALHOST', '127.0.0.1', '[::1]', '::ffff:127.0.0.1', '0.0.0.0'].every(isLoopbackHost)).toBe(true);
    expect(['localhost.example', '128.0.0.1', '::2', '10.0.0.1', 'example.com'].some(isLoopbackHost)).toBe(false);
    expect(isLoopbackHost(new URL('http://2130706433/').hostname)).toBe(true);
  });
});

describe('checking the proxy variables', () => {
  it('accepts http and https proxies, with or without a scheme', () => {
    expect(() =>
      checkProxyVariables({ HTTPS_PROXY: 'http://u:p@proxy:3128', http_proxy: 'proxy:3128', ALL_PROXY: 'https://p' }),
    ).not.toThrow();
  });

  it('registers the passwords, so no message shows them in any form', () => {
    checkProxyVariables({ HTTPS_PROXY: 'http://corp:p%40ss-w0rd@proxy:3128' });
    expect(redact('Basic auth failed for corp with p@ss-w0rd (p%40ss-w0rd)')).toBe('Basic auth failed for corp with *** (***)');
  });

  it('refuses other schemes and unreadable values in one line, the password masked', () => {
    expect(() => checkProxyVariables({ HTTPS_PROXY: 'socks5://u:hunter22@p:1080' })).toThrow(
      'HTTPS_PROXY is not an http(s) proxy URL: "socks5://***:***@p:1080"',
    );
    expect(() => checkProxyVariables({ http_proxy: 'http://[oops' })).toThrow(/^http_proxy is not an http\(s\) proxy URL/);
  });
});
