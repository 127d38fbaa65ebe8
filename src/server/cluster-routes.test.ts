import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type FlywheelServer, type ServerOptions } from './index.js';
import { FakeModelHost, FakeTokens } from './testing/index.js';

const tokens = () =>
  new FakeTokens()
    .add('viewer-token', { id: 'v', role: 'viewer' })
    .add('admin-token', { id: 'a', role: 'admin' });

const servers: FlywheelServer[] = [];
function serve(overrides: Partial<ServerOptions> = {}) {
  const server = createServer({
    host: new FakeModelHost({ models: {} }),
    auth: tokens(),
    dashboard: false,
    ...overrides,
  });
  servers.push(server);
  return server.app;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A leadership that tests flip by hand. */
function leadership(leader: boolean) {
  const state = { leader, since: new Date('2025-03-01T12:00:00Z') };
  return { state, isLeader: () => state.leader, since: () => state.since };
}

const viewer = { authorization: 'Bearer viewer-token' };

describe('GET /v1/cluster and flywheel_leader', () => {
  it('says which replica answered, whether it leads and since when', async () => {
    const lead = leadership(true);
    const app = serve({ cluster: { replica: 'web-1-42', leadership: lead } });
    const res = await app.inject({ url: '/v1/cluster', headers: viewer });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      replica: 'web-1-42',
      controller: true,
      leader: true,
      since: '2025-03-01T12:00:00.000Z',
    });
    lead.state.leader = false;
    expect((await app.inject({ url: '/v1/cluster', headers: viewer })).json()).toMatchObject({
      leader: false,
    });
  });

  it('needs a token that may read (open with auth off)', async () => {
    const cluster = { replica: 'web-1-42' };
    expect((await serve({ cluster }).inject({ url: '/v1/cluster' })).statusCode).toBe(401);
    const open = await serve({ cluster, auth: 'off' }).inject({ url: '/v1/cluster' });
    expect(open.json()).toEqual({
      replica: 'web-1-42',
      controller: false,
      leader: false,
      since: null,
    });
  });

  it('reports leadership as a gauge read at scrape time', async () => {
    const lead = leadership(true);
    const app = serve({ cluster: { replica: 'r', leadership: lead }, metricsPublic: true });
    const gauge = async () =>
      /^flywheel_leader (\d+)$/m.exec((await app.inject({ url: '/metrics' })).body)?.[1];
    expect(await gauge()).toBe('1');
    lead.state.leader = false;
    expect(await gauge()).toBe('0');
    // Without an election (no controller) the gauge is there, at 0.
    const plain = serve({ metricsPublic: true });
    expect((await plain.inject({ url: '/metrics' })).body).toMatch(/^flywheel_leader 0$/m);
  });
});
