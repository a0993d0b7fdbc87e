// Browser mode's doors: loopback only, the per-launch token, and same-origin only.
import { networkInterfaces } from 'node:os';
import { connect } from 'node:net';
import { request } from 'node:http';
import { expect, openApp, test, type RunningApp } from './harness.ts';

let app: RunningApp | null = null;
test.afterEach(async () => {
  await app?.stop();
  app = null;
});

function get(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

function upgrade(origin: string, path: string, headers: Record<string, string> = {}): Promise<string> {
  const u = new URL(origin);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(u.port), u.hostname, () => {
      const lines = [
        `GET ${path} HTTP/1.1`,
        `Host: ${u.host}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version: 13',
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
        '',
        '',
      ];
      sock.write(lines.join('\r\n'));
    });
    let data = '';
    sock.on('data', (d) => {
      data += d.toString();
      if (data.includes('\r\n')) {
        sock.destroy();
        resolve(data.split('\r\n')[0] ?? '');
      }
    });
    sock.on('error', reject);
  });
}

test('the token is required, foreign origins are refused, and only loopback listens', async ({ page }) => {
  app = await openApp(page, 'seed-rf');
  const { origin, token } = app;
  expect(await get(`${origin}/`)).toBe(401);
  expect(await get(`${origin}/?token=wrong`)).toBe(401);
  expect(await get(`${origin}/?token=${token}`)).toBe(200);
  expect(await get(`${origin}/?token=${token}`, { Origin: 'http://evil.example' })).toBe(403);
  // DNS rebinding: a foreign Host name pointing at 127.0.0.1 is refused even with the token.
  expect(await get(`${origin}/?token=${token}`, { Host: `evil.example:${new URL(origin).port}` })).toBe(403);

  expect(await upgrade(origin, `/ws?token=${token}`, { Origin: origin })).toMatch(/101/);
  expect(await upgrade(origin, '/ws', { Origin: origin })).toMatch(/401/);
  expect(await upgrade(origin, `/ws?token=${token}`, { Origin: 'http://evil.example' })).toMatch(/403/);

  // A page from another origin cannot talk to the backend, even knowing the port.
  const foreign = await page.context().newPage();
  await foreign.goto('about:blank');
  const result = await foreign.evaluate(
    (wsUrl) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(wsUrl);
        ws.onopen = () => resolve('open');
        ws.onerror = () => resolve('refused');
      }),
    `ws://127.0.0.1:${new URL(origin).port}/ws?token=${token}`,
  );
  expect(result).toBe('refused');

  // Loopback only: the same port on any other local address is closed.
  const others = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
  for (const address of others) {
    const refused = await new Promise<boolean>((resolve) => {
      const s = connect(Number(new URL(origin).port), address);
      s.on('connect', () => {
        s.destroy();
        resolve(false);
      });
      s.on('error', () => resolve(true));
    });
    expect(refused, address).toBe(true);
  }
});
