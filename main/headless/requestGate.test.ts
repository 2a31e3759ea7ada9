// The gate's every rule, the refusals as much as the acceptances: what a
// client sends decides serve / redirect / upgrade / refuse, and nothing it
// sends makes the gate throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowedHostNames, decideRequest, tokenCookie, type GateDecision, type GateRequest } from './requestGate.js';

const TOKEN = 'Zm9vYmFyYmF6cXV4LXRoZS10b2tlbi1vZi10aGlzLXJ1bg';
const PORT = 7300;
const expectations = { token: TOKEN, cookieName: `overlook_token_${PORT}`, allowedHosts: allowedHostNames(PORT, '127.0.0.1', { hostname: 'laptop', addresses: ['127.0.0.1', '192.0.2.7'] }) };
const HOST = `127.0.0.1:${PORT}`;
const COOKIE = `overlook_token_${PORT}=${TOKEN}`;

function decide(partial: Partial<GateRequest> & { headers?: GateRequest['headers'] }): GateDecision {
  return decideRequest({ method: 'GET', target: '/', upgrade: false, ...partial, headers: { host: HOST, ...partial.headers } }, expectations);
}

const refusal = (status: number, reason?: string) => expect.objectContaining({ kind: 'refuse', status, ...(reason ? { reason } : {}) });

describe('the token', () => {
  it('accepts the right cookie and serves the page', () => {
    expect(decide({ headers: { cookie: COOKIE } })).toEqual({ kind: 'serve', file: '/index.html', headOnly: false, origin: `http://${HOST}` });
  });
  it('refuses a wrong cookie value, and one of another port', () => {
    expect(decide({ headers: { cookie: `overlook_token_${PORT}=not-the-token` } })).toEqual(refusal(401, 'wrong token'));
    expect(decide({ headers: { cookie: `overlook_token_7301=${TOKEN}` } })).toEqual(refusal(401, 'missing token'));
    expect(decide({ headers: { cookie: `overlook_token_${PORT}=${TOKEN}x` } })).toEqual(refusal(401));
  });
  it('accepts the right Authorization: Bearer and refuses a wrong one', () => {
    expect(decide({ headers: { authorization: `Bearer ${TOKEN}` } })).toMatchObject({ kind: 'serve' });
    expect(decide({ headers: { authorization: `bearer ${TOKEN}` } })).toMatchObject({ kind: 'serve' });
    expect(decide({ headers: { authorization: 'Bearer not-the-token' } })).toEqual(refusal(401, 'wrong token'));
    expect(decide({ headers: { authorization: `Basic ${TOKEN}` } })).toEqual(refusal(401, 'missing token'));
  });
  it('refuses a request with no token at all', () => {
    expect(decide({})).toEqual(refusal(401, 'missing token'));
    expect(decide({ target: '/assets/app.js' })).toEqual(refusal(401));
  });
  it('ignores other applications’ cookies, whatever their encoding, and never decodes them', () => {
    // Cookies are per host name, not per port: anything on 127.0.0.1 shares the header.
    expect(decide({ headers: { cookie: `progress=50%; x=%E0%A4%A; ${COOKIE}` } })).toMatchObject({ kind: 'serve' });
    expect(decide({ headers: { cookie: 'progress=50%; x=%E0%A4%A' } })).toEqual(refusal(401, 'missing token'));
    expect(decide({ headers: { cookie: `overlook_token_${PORT}=%E0%A4%A` } })).toEqual(refusal(401, 'wrong token'));
    expect(decide({ headers: { cookie: `overlook_token_${PORT}="${TOKEN}"` } })).toMatchObject({ kind: 'serve' });
  });
  it('trades the query token for the cookie, redirecting to the same path without it', () => {
    expect(decide({ target: `/?token=${TOKEN}` })).toEqual({ kind: 'redirect', location: '/', setCookie: tokenCookie(`overlook_token_${PORT}`, TOKEN), origin: `http://${HOST}` });
    expect(decide({ target: `/hosts?tab=2&token=${TOKEN}` })).toMatchObject({ kind: 'redirect', location: '/hosts?tab=2' });
    expect(tokenCookie('c', TOKEN)).toBe(`c=${TOKEN}; HttpOnly; SameSite=Strict; Path=/`);
  });
  it('refuses a wrong query token even with the right cookie', () => {
    expect(decide({ target: '/?token=not-the-token', headers: { cookie: COOKIE } })).toEqual(refusal(401, 'wrong token'));
  });
  it('redirects only to a path on this origin (no scheme-relative Location)', () => {
    for (const target of [`/.//evil.example/x?token=${TOKEN}`, `/%2F%2Fevil.example/x?token=${TOKEN}`, `/\\\\evil.example/x?token=${TOKEN}`]) {
      const d = decide({ target });
      if (d.kind === 'redirect') {
        expect(d.location).toMatch(/^\/[^/\\]/);
        expect(new URL(d.location, `http://${HOST}`).origin).toBe(`http://${HOST}`);
      } else {
        expect(d).toEqual(refusal(400));
      }
    }
    expect(decide({ target: `/.//evil.example/x?token=${TOKEN}` })).toMatchObject({ kind: 'redirect', location: '/.//evil.example/x' });
  });
});

describe('the token, exactly as the RFCs spell it', () => {
  it('reads a cookie by its whole name and trims the space around its value (RFC 6265 §5.2)', () => {
    // A part with no `=` is no cookie of ours, even if it starts with our name.
    expect(decide({ headers: { cookie: `overlook_token_${PORT}x` } })).toEqual(refusal(401, 'missing token'));
    expect(decide({ headers: { cookie: `a=1;  overlook_token_${PORT}=${TOKEN}  ; b=2` } })).toMatchObject({ kind: 'serve' });
  });
  it('unwraps a value only when double quotes wrap it on both sides (RFC 6265 §4.1.1)', () => {
    for (const value of [`"${TOKEN}x`, `x${TOKEN}"`, `"${TOKEN}`, `${TOKEN}"`]) {
      expect(decide({ headers: { cookie: `overlook_token_${PORT}=${value}` } })).toEqual(refusal(401, 'wrong token'));
    }
  });
  it('takes `Bearer`, one or more spaces and the token, nothing before or after (RFC 6750 §2.1)', () => {
    expect(decide({ headers: { authorization: `Bearer   ${TOKEN}` } })).toMatchObject({ kind: 'serve' });
    expect(decide({ headers: { authorization: `XBearer ${TOKEN}` } })).toEqual(refusal(401, 'missing token'));
    expect(decide({ headers: { authorization: `Bearer ${TOKEN} extra` } })).toEqual(refusal(401, 'missing token'));
  });
  it('reads the token from the query only, not from a path that looks like one', () => {
    expect(decide({ target: `/&token=${TOKEN}` })).toEqual(refusal(401, 'missing token'));
  });
});

describe('Host and Origin', () => {
  it('refuses a foreign Host (DNS rebinding) even with the token', () => {
    expect(decide({ headers: { host: 'evil.example:7300', cookie: COOKIE } })).toEqual(refusal(403, 'unexpected Host header'));
    expect(decide({ headers: { host: '127.0.0.1:7301', cookie: COOKIE } })).toEqual(refusal(403));
    expect(decide({ headers: { host: undefined, cookie: COOKIE } })).toEqual(refusal(403));
  });
  it('accepts the loopback names', () => {
    for (const host of ['127.0.0.1:7300', 'localhost:7300', 'LOCALHOST:7300', '[::1]:7300']) expect(decide({ headers: { host, cookie: COOKIE } })).toMatchObject({ kind: 'serve' });
  });
  it('refuses a foreign Origin and accepts our own', () => {
    expect(decide({ headers: { origin: 'http://evil.example', cookie: COOKIE } })).toEqual(refusal(403, 'foreign Origin'));
    expect(decide({ headers: { origin: 'null', cookie: COOKIE } })).toEqual(refusal(403));
    expect(decide({ headers: { origin: `https://${HOST}`, cookie: COOKIE } })).toEqual(refusal(403));
    expect(decide({ headers: { origin: `http://${HOST}`, cookie: COOKIE } })).toMatchObject({ kind: 'serve' });
  });
  it('always answers to the loopback names, on port 80 with or without the port (browsers leave :80 out of Host)', () => {
    expect([...allowedHostNames(PORT, '192.0.2.7', { hostname: 'laptop', addresses: [] })].sort()).toEqual(['127.0.0.1:7300', '192.0.2.7:7300', '[::1]:7300', 'localhost:7300']);
    expect([...allowedHostNames(80, '127.0.0.1', { hostname: 'laptop', addresses: [] })].sort()).toEqual(['127.0.0.1', '127.0.0.1:80', '[::1]', '[::1]:80', 'localhost', 'localhost:80']);
  });
  it('on an IPv6 wildcard bind, answers to the machine’s names, never to the wildcard itself or an empty name', () => {
    const names = allowedHostNames(PORT, '::', { hostname: '', addresses: ['2001:db8::7'] });
    expect([...names].sort()).toEqual(['127.0.0.1:7300', '[2001:db8::7]:7300', '[::1]:7300', 'localhost:7300']);
  });
  it('on a wildcard bind, answers to the machine’s own names and addresses only', () => {
    const names = allowedHostNames(PORT, '0.0.0.0', { hostname: 'Laptop', addresses: ['127.0.0.1', '192.0.2.7', 'fe80::1%eth0', '2001:db8::7'] });
    expect([...names].sort()).toEqual(['127.0.0.1:7300', '192.0.2.7:7300', '[2001:db8::7]:7300', '[::1]:7300', '[fe80::1]:7300', 'laptop:7300', 'localhost:7300'].sort());
    const wild = { ...expectations, allowedHosts: names };
    const at = (host: string) => decideRequest({ method: 'GET', target: '/', upgrade: false, headers: { host, cookie: COOKIE } }, wild);
    expect(at('192.0.2.7:7300')).toMatchObject({ kind: 'serve' });
    expect(at('laptop:7300')).toMatchObject({ kind: 'serve' });
    expect(at('evil.example:7300')).toEqual(refusal(403));
  });
});

describe('methods, targets and paths', () => {
  it('allows GET and HEAD only', () => {
    expect(decide({ method: 'HEAD', headers: { cookie: COOKIE } })).toMatchObject({ kind: 'serve', headOnly: true });
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT', undefined]) expect(decide({ method, headers: { cookie: COOKIE } })).toEqual(refusal(405, 'method not allowed'));
  });
  it('refuses targets that are not origin-form', () => {
    for (const target of ['http://[bad', 'http://127.0.0.1:7300/', '//[', '*', '127.0.0.1:7300', '', undefined, '/a\u0000b']) {
      expect(decide({ target, headers: { cookie: COOKIE } })).toEqual(refusal(400, 'bad request target'));
    }
  });
  it('refuses bad percent-encoding, NUL, backslashes and dot-dot in the path', () => {
    expect(decide({ target: '/%E0%A4%A', headers: { cookie: COOKIE } })).toEqual(refusal(400, 'bad percent-encoding in the path'));
    expect(decide({ target: '/index.html%00', headers: { cookie: COOKIE } })).toEqual(refusal(400, 'bad character in the path'));
    expect(decide({ target: '/a%5C..%5Cb', headers: { cookie: COOKIE } })).toEqual(refusal(400));
    expect(decide({ target: '/%2e%2e/%2e%2e/etc/passwd', headers: { cookie: COOKIE } })).toEqual(refusal(400, 'path outside the UI'));
    expect(decide({ target: '/assets/../../x', headers: { cookie: COOKIE } })).toEqual(refusal(400, 'path outside the UI'));
  });
  it('serves clean paths, decoded once', () => {
    expect(decide({ target: '/assets/app%2Ejs?v=1#x', headers: { cookie: COOKIE } })).toMatchObject({ kind: 'serve', file: '/assets/app.js' });
    expect(decide({ target: '/./assets//app.js', headers: { cookie: COOKIE } })).toMatchObject({ kind: 'serve', file: '/assets/app.js' });
    // The fragment is the browser's (RFC 3986 §3.5): never part of the file asked for.
    expect(decide({ target: '/index.html#top', headers: { cookie: COOKIE } })).toMatchObject({ kind: 'serve', file: '/index.html' });
  });
});

describe('WebSocket upgrades', () => {
  const upgrade = (target: string, headers: GateRequest['headers'] = {}) => decide({ target, upgrade: true, headers: { cookie: COOKIE, ...headers } });
  it('accepts /rpc with the token and our Origin', () => {
    expect(upgrade('/rpc', { origin: `http://${HOST}` })).toEqual({ kind: 'upgrade', origin: `http://${HOST}` });
    expect(decide({ target: `/rpc?token=${TOKEN}`, upgrade: true })).toMatchObject({ kind: 'upgrade' });
  });
  it('refuses other paths, bad targets, foreign Origins, wrong tokens and other methods', () => {
    expect(upgrade('/other')).toEqual(refusal(404, 'no such endpoint'));
    expect(upgrade('//[')).toEqual(refusal(400));
    expect(upgrade('http://[bad')).toEqual(refusal(400));
    expect(upgrade('/rpc', { origin: 'http://evil.example' })).toEqual(refusal(403));
    expect(upgrade('/rpc', { cookie: `overlook_token_${PORT}=not-the-token` })).toEqual(refusal(401));
    expect(decide({ target: '/rpc', upgrade: true })).toEqual(refusal(401));
    expect(decide({ method: 'HEAD', target: '/rpc', upgrade: true, headers: { cookie: COOKIE } })).toEqual(refusal(405));
  });
});

describe('any input', () => {
  it('never throws and always answers a known status (fast-check; the seed is printed on failure)', () => {
    const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('%', '%E0%A4%A', '%00', '..', '//', '\\', '?token=', TOKEN, '[', 'http://'));
    const piece = fc.array(text, { maxLength: 6 }).map((p) => p.join(''));
    const req = fc.record({
      method: fc.option(fc.constantFrom('GET', 'HEAD', 'POST', 'get', ''), { nil: undefined }),
      target: fc.option(fc.oneof(piece, piece.map((p) => '/' + p)), { nil: undefined }),
      upgrade: fc.boolean(),
      headers: fc.record(
        {
          host: fc.oneof(fc.constant(HOST), piece, fc.array(piece, { maxLength: 2 })),
          origin: fc.oneof(fc.constant(`http://${HOST}`), piece),
          cookie: fc.oneof(fc.constant(COOKIE), piece, piece.map((p) => `${p}; ${COOKIE}`)),
          authorization: fc.oneof(fc.constant(`Bearer ${TOKEN}`), piece),
        },
        { requiredKeys: [] },
      ),
    });
    fc.assert(
      fc.property(req, (r) => {
        const d = decideRequest(r, expectations);
        expect(['serve', 'redirect', 'upgrade', 'refuse']).toContain(d.kind);
        if (d.kind === 'refuse') expect([400, 401, 403, 404, 405]).toContain(d.status);
        if (d.kind === 'redirect') expect(new URL(d.location, `http://${HOST}`).origin).toBe(`http://${HOST}`);
        if (d.kind === 'serve') expect(d.file).toMatch(/^\/(?!.*(^|\/)\.\.(\/|$))[^\0\\]*$/);
      }),
      { numRuns: 3000 },
    );
  });
});
