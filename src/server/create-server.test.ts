import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type FlywheelServer, type ServerOptions } from './index.js';
import { FakeDeployments, FakeModelHost, FakeTokens } from './testing/index.js';

const SECRET = 'S3CR3T-VALUE-9f8e7d';
const tokens = () =>
  new FakeTokens()
    .add('viewer-token', { id: 'v', role: 'viewer' })
    .add('predictor-token', { id: 'p', role: 'predictor' })
    .add('deployer-token', { id: 'd', role: 'deployer', name: 'dana' });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const P = bearer('predictor-token');

function fakeHost() {
  return new FakeModelHost({
    models: {
      churn: {
        version: '1',
        inputs: [
          { name: 'tenure', type: 'numeric' },
          { name: 'plan', type: 'categorical' },
        ],
      },
    },
  });
}

const servers: FlywheelServer[] = [];
function serve(overrides: Partial<ServerOptions> = {}) {
  const host = (overrides.host as FakeModelHost | undefined) ?? fakeHost();
  const server = createServer({ host, auth: tokens(), ...overrides });
  servers.push(server);
  return { server, host, app: server.app };
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const predict = (
  app: FlywheelServer['app'],
  body: unknown,
  headers: Record<string, string | undefined> = {},
) =>
  app.inject({
    method: 'POST',
    url: '/v1/models/churn/predict',
    headers: Object.fromEntries(
      Object.entries({ 'content-type': 'application/json', ...P, ...headers }).filter(
        (e): e is [string, string] => e[1] !== undefined,
      ),
    ),
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('POST /v1/models/:name/predict', () => {
  it('scores rows and tags each with its prediction id and model version', async () => {
    const { app } = serve();
    const res = await predict(app, {
      rows: [
        { tenure: 3, plan: 'basic' },
        { tenure: null, plan: 'pro' },
      ],
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.model).toBe('churn');
    expect(body.request_id).toBe(res.headers['x-request-id']);
    expect(body.predictions).toHaveLength(2);
    for (const p of body.predictions) {
      expect(p).toMatchObject({ model_version: 'churn@1', decision: expect.any(Boolean) });
      expect(p.prediction_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(p.score).toBeGreaterThan(0);
    }
  });

  it('accepts a single row under `row`, and a routing key', async () => {
    const { app } = serve();
    const res = await predict(app, { row: { tenure: 1, plan: 'x' }, routing_key: 'customer-7' });
    expect(res.statusCode).toBe(200);
    expect(res.json().predictions).toHaveLength(1);
  });

  it('keeps a sane x-request-id and replaces one that is not', async () => {
    const { app } = serve();
    const kept = await predict(
      app,
      { row: { tenure: 1, plan: 'x' } },
      { 'x-request-id': 'abc-123' },
    );
    expect(kept.headers['x-request-id']).toBe('abc-123');
    expect(kept.json().request_id).toBe('abc-123');
    const replaced = await predict(
      app,
      { row: { tenure: 1, plan: 'x' } },
      { 'x-request-id': '<script>alert(1)</script>' },
    );
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers field-level 400s that name fields and never echo values', async () => {
    const { app } = serve();
    const res = await predict(app, {
      rows: [{ tenure: SECRET, plan: 'a' }, { plan: 'b' }],
    });
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.requestId).toBe(res.headers['x-request-id']);
    expect(error.fields).toEqual(
      expect.arrayContaining([
        { row: 0, field: 'tenure', message: expect.any(String) },
        { row: 1, field: 'tenure', message: 'is missing' },
      ]),
    );
    expect(res.body).not.toContain(SECRET);
  });

  it.each([
    ['not an object', [1, 2]],
    ['rows not an array', { rows: 'x' }],
    ['rows and row', { rows: [], row: {} }],
    ['neither rows nor row', { routing_key: 'k' }],
    ['an unknown top-level field', { rows: [{}], extra: SECRET }],
    ['a row that is not an object', { rows: [{ tenure: 1, plan: 'a' }, 5] }],
    ['no rows', { rows: [] }],
    ['a bad routing key', { row: { tenure: 1, plan: 'a' }, routing_key: 5 }],
  ])('answers 400 INVALID_INPUT for %s', async (_what, body) => {
    const { app } = serve();
    const res = await predict(app, body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('INVALID_INPUT');
    expect(res.body).not.toContain(SECRET);
  });

  it('answers 422 for too many rows', async () => {
    const { app } = serve({ maxRows: 10 });
    const res = await predict(app, {
      rows: Array.from({ length: 11 }, () => ({ tenure: 1, plan: 'a' })),
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('TOO_MANY_ROWS');
  });

  it('answers 404 for an unknown model without echoing its name', async () => {
    const { app } = serve();
    const res = await app.inject({
      method: 'POST',
      url: `/v1/models/${SECRET}/predict`,
      headers: { 'content-type': 'application/json', ...P },
      payload: '{"row":{}}',
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
    expect(res.body).not.toContain(SECRET);
  });

  it('answers 503 while the model is not ready', async () => {
    const { app, host } = serve();
    host.models.get('churn')!.ready = false;
    const res = await predict(app, { row: { tenure: 1, plan: 'a' } });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('NOT_READY');
    expect(res.headers['retry-after']).toBe('1');
  });

  it('answers 503 when the prediction log cannot commit, and counts the error', async () => {
    const host = new FakeModelHost({
      models: { churn: { version: '1', inputs: [{ name: 'tenure', type: 'numeric' }] } },
      log: async () => {
        throw new Error(`disk I/O error at /var/secret/${SECRET}`);
      },
    });
    const { app } = serve({ host, metricsPublic: true });
    const res = await predict(app, { row: { tenure: 1 } });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('UNAVAILABLE');
    expect(res.body).not.toContain(SECRET);
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(
      /flywheel_prediction_errors_total\{model="churn",code="UNAVAILABLE"\} 1/,
    );
  });

  it('answers 504 when inference outlives its timeout, and aborts it', async () => {
    const { app, host } = serve({ inferenceTimeoutMs: 50 });
    host.models.get('churn')!.hang = true;
    const res = await predict(app, { row: { tenure: 1, plan: 'a' } });
    expect(res.statusCode).toBe(504);
    expect(res.json().error.code).toBe('INFERENCE_TIMEOUT');
    await new Promise((r) => setTimeout(r, 10));
    expect(host.inFlight).toBe(0);
  });
});

describe('request hardening', () => {
  const raw = (
    app: FlywheelServer['app'],
    payload: string | Buffer,
    headers: Record<string, string>,
  ) =>
    app.inject({
      method: 'POST',
      url: '/v1/models/churn/predict',
      headers: { ...P, ...headers },
      payload,
    });

  it('answers 400 for bad JSON without echoing it', async () => {
    const { app } = serve();
    const res = await raw(app, `{"rows": [${SECRET}`, { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'INVALID_JSON', requestId: expect.any(String) });
    expect(res.body).not.toContain(SECRET);
  });

  it('answers 400 for an empty body and for invalid UTF-8', async () => {
    const { app } = serve();
    expect((await raw(app, '', { 'content-type': 'application/json' })).statusCode).toBe(400);
    const latin1 = Buffer.concat([
      Buffer.from('{"row":{"plan":"'),
      Buffer.from([0xe9, 0xff]),
      Buffer.from('"}}'),
    ]);
    const res = await raw(app, latin1, { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('INVALID_JSON');
  });

  it.each([
    ['text/plain', {}],
    ['application/x-www-form-urlencoded', {}],
    ['application/json; charset=latin1', {}],
    ['application/json', { 'content-encoding': 'gzip' }],
  ])('answers 415 for %s %j', async (type, extra) => {
    const { app } = serve();
    const res = await raw(app, '{"row":{"tenure":1,"plan":"a"}}', {
      'content-type': type,
      ...extra,
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 415 for a body without a content type', async () => {
    const { app } = serve();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/models/churn/predict',
      headers: { ...P, 'content-length': '2' },
      payload: '{}',
    });
    expect(res.statusCode).toBe(415);
  });

  it.each([
    '{"row":{"tenure":1,"plan":"a","__proto__":{"polluted":true}}}',
    '{"__proto__":{"isAdmin":true},"row":{"tenure":1,"plan":"a"}}',
    '{"row":{"tenure":1,"plan":"a","constructor":{"prototype":{"polluted":true}}}}',
  ])('answers 400 for prototype-poisoning keys: %s', async (payload) => {
    const { app } = serve();
    const res = await raw(app, payload, { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('INVALID_JSON');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('answers 413 for a body over the limit', async () => {
    const { app } = serve({ bodyLimit: 1000 });
    const rows = Array.from({ length: 100 }, () => ({ tenure: 1, plan: 'basic-plan' }));
    const res = await raw(app, JSON.stringify({ rows }), { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 404 in the same shape for an unknown route', async () => {
    const { app } = serve();
    const res = await app.inject({ method: 'GET', url: `/nope/${SECRET}` });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: {
        code: 'NOT_FOUND',
        message: 'no such route',
        requestId: res.headers['x-request-id'],
      },
    });
  });

  it('answers a generic 500 without stack or message when something unexpected throws', async () => {
    const host = fakeHost();
    host.names = () => {
      throw new Error(`boom ${SECRET}`);
    };
    const { app } = serve({ host });
    const res = await predict(app, { row: { tenure: 1, plan: 'a' } });
    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe('INTERNAL');
    expect(res.body).not.toContain(SECRET);
    expect(res.body).not.toContain('at ');
  });
});

describe('access control', () => {
  it('answers 401 with a Bearer challenge for no token or an unknown one, 403 for a role that may not', async () => {
    const { app } = serve();
    const none = await predict(
      app,
      { row: { tenure: 1, plan: 'a' } },
      { authorization: undefined },
    );
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(none.json().error.code).toBe('UNAUTHORIZED');
    const unknown = await predict(app, { row: { tenure: 1, plan: 'a' } }, bearer('nope'));
    expect(unknown.statusCode).toBe(401);
    expect(unknown.headers['www-authenticate']).toContain('invalid_token');
    const malformed = await predict(app, { row: {} }, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(malformed.statusCode).toBe(401);
    const viewer = await predict(app, { row: { tenure: 1, plan: 'a' } }, bearer('viewer-token'));
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json().error.code).toBe('FORBIDDEN');
  });

  it('checks the token before reading the body', async () => {
    const { app } = serve();
    const res = await predict(app, '{not json', { authorization: undefined });
    expect(res.statusCode).toBe(401);
  });

  it('rejects a revoked token', async () => {
    const verifier = tokens();
    const { app } = serve({ auth: verifier });
    expect((await predict(app, { row: { tenure: 1, plan: 'a' } })).statusCode).toBe(200);
    verifier.revoke('predictor-token');
    expect((await predict(app, { row: { tenure: 1, plan: 'a' } })).statusCode).toBe(401);
  });

  it('answers 429 with Retry-After after repeated bad tokens from one address', async () => {
    const { app } = serve({ maxAuthFailures: 3 });
    for (let i = 0; i < 3; i++) {
      expect((await predict(app, { row: {} }, bearer(`guess${i}`))).statusCode).toBe(401);
    }
    const blocked = await predict(app, { row: { tenure: 1, plan: 'a' } });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('needs no token for liveness and readiness, and `read` for metrics unless public', async () => {
    const { app } = serve();
    for (const url of ['/healthz', '/readyz', '/v2/health/live', '/v2/health/ready']) {
      expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    }
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const metrics = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: bearer('viewer-token'),
    });
    expect(metrics.statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/v2/models/churn' })).statusCode).toBe(401);
    const open = serve({ metricsPublic: true });
    expect((await open.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
  });

  it('lets every request through as admin when auth is off, but only on loopback', async () => {
    const { server, app } = serve({ auth: 'off' });
    expect(
      (await predict(app, { row: { tenure: 1, plan: 'a' } }, { authorization: undefined }))
        .statusCode,
    ).toBe(200);
    await expect(server.listen({ host: '0.0.0.0', port: 0 })).rejects.toThrow(
      /refusing to listen on 0\.0\.0\.0 with auth off/,
    );
    const url = await server.listen({ port: 0 });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
  });
});

describe('Open Inference Protocol v2', () => {
  const V = bearer('viewer-token');

  it('serves model metadata and readiness', async () => {
    const { app, host } = serve();
    const meta = await app.inject({ method: 'GET', url: '/v2/models/churn', headers: V });
    expect(meta.statusCode).toBe(200);
    expect(meta.json()).toMatchObject({
      name: 'churn',
      platform: 'flywheel',
      inputs: expect.any(Array),
    });
    const ready = await app.inject({ method: 'GET', url: '/v2/models/churn/ready', headers: V });
    expect(ready.json()).toEqual({ name: 'churn', ready: true });
    host.models.get('churn')!.ready = false;
    const notReady = await app.inject({ method: 'GET', url: '/v2/models/churn/ready', headers: V });
    expect(notReady.statusCode).toBe(503);
    expect((await app.inject({ method: 'GET', url: '/v2/health/ready' })).statusCode).toBe(503);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
    expect(
      (await app.inject({ method: 'GET', url: '/v2/models/other', headers: V })).statusCode,
    ).toBe(404);
  });

  const infer = (app: FlywheelServer['app'], body: unknown) =>
    app.inject({
      method: 'POST',
      url: '/v2/models/churn/infer',
      headers: { 'content-type': 'application/json', ...P },
      payload: JSON.stringify(body),
    });

  it('scores columnar tensors and answers output tensors', async () => {
    const { app } = serve();
    const res = await infer(app, {
      id: 'req-1',
      inputs: [
        { name: 'tenure', shape: [2, 1], datatype: 'FP64', data: [[3], [40]] },
        { name: 'plan', shape: [2], datatype: 'BYTES', data: ['basic', 'pro'] },
      ],
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ model_name: 'churn', model_version: '1', id: 'req-1' });
    expect(body.outputs.map((o: { name: string }) => o.name)).toEqual([
      'score',
      'decision',
      'prediction_id',
    ]);
    expect(body.outputs[0]).toMatchObject({ datatype: 'FP64', shape: [2] });
    expect(body.outputs[1]).toMatchObject({ datatype: 'BOOL', data: [true, true] });
    expect(body.outputs[2].data).toHaveLength(2);
  });

  it('answers field-level 400s for wrong types and mismatched shapes', async () => {
    const { app } = serve();
    const wrong = await infer(app, {
      inputs: [
        { name: 'tenure', shape: [2], datatype: 'FP64', data: [1, SECRET] },
        { name: 'plan', shape: [2], datatype: 'BYTES', data: ['a', 'b'] },
      ],
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.fields).toEqual([
      { row: 1, field: 'tenure', message: 'must be a number (FP64)' },
    ]);
    expect(wrong.body).not.toContain(SECRET);
    const shape = await infer(app, {
      inputs: [{ name: 'tenure', shape: [3], datatype: 'FP64', data: [1, 2] }],
    });
    expect(shape.statusCode).toBe(400);
    const missing = await infer(app, {
      inputs: [{ name: 'tenure', shape: [1], datatype: 'FP64', data: [1] }],
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.fields).toEqual([{ row: 0, field: 'plan', message: 'is missing' }]);
    const proto = await infer(app, {
      inputs: [{ name: '__proto__', shape: [1], datatype: 'FP64', data: [1] }],
    });
    expect(proto.statusCode).toBe(400);
  });
});

describe('metrics', () => {
  it('counts requests by model, version, route and code, and times predictions', async () => {
    const { app } = serve({ metricsPublic: true });
    await predict(app, { row: { tenure: 1, plan: 'a' } });
    await predict(app, { row: { plan: 'a' } });
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toContain(
      'flywheel_requests_total{model="churn",version="1",route="/v1/models/:name/predict",code="200"} 1',
    );
    expect(text).toContain(
      'flywheel_requests_total{model="churn",version="",route="/v1/models/:name/predict",code="400"} 1',
    );
    expect(text).toMatch(/flywheel_request_duration_seconds_count\{model="churn",version="1"\} 1/);
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});

describe('deployment admin routes', () => {
  function withRegistry() {
    const host = fakeHost();
    const registry = new FakeDeployments(host, { churn: [1, 2] });
    return { ...serve({ host, registry }), registry };
  }
  const D = { ...bearer('deployer-token'), 'content-type': 'application/json' };

  it('promotes and rolls back, changing what is served at once, recording who and why', async () => {
    const { app, registry } = withRegistry();
    const promote = await app.inject({
      method: 'POST',
      url: '/v1/models/churn/promote',
      headers: D,
      payload: { version: 2, reason: 'better cost' },
    });
    expect(promote.statusCode).toBe(200);
    expect(promote.json().deployment.champion).toBe(2);
    expect(
      (await predict(app, { row: { tenure: 1, plan: 'a' } })).json().predictions[0].model_version,
    ).toBe('churn@2');
    const rollback = await app.inject({
      method: 'POST',
      url: '/v1/models/churn/rollback',
      headers: D,
      payload: { reason: 'regression' },
    });
    expect(rollback.json().deployment.champion).toBe(1);
    expect(registry.moves).toEqual([
      { name: 'churn', action: 'promote', version: 2, actor: 'dana [d]', reason: 'better cost' },
      { name: 'churn', action: 'rollback', version: 1, actor: 'dana [d]', reason: 'regression' },
    ]);
    const list = await app.inject({
      method: 'GET',
      url: '/v1/models',
      headers: bearer('viewer-token'),
    });
    expect(list.json().models[0]).toMatchObject({ name: 'churn', aliases: { champion: 1 } });
  });

  it('starts and ends a canary, checking the weight', async () => {
    const { app } = withRegistry();
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/models/churn/canary',
      headers: D,
      payload: { version: '2', weight: 150, reason: 'try' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields).toEqual([{ field: 'weight', message: expect.any(String) }]);
    const start = await app.inject({
      method: 'POST',
      url: '/v1/models/churn/canary',
      headers: D,
      payload: { version: '2', weight: 10, shadow: true, reason: 'try' },
    });
    expect(start.json().deployment.canary).toEqual({ version: 2, weight: 10, shadow: true });
    const end = await app.inject({
      method: 'DELETE',
      url: '/v1/models/churn/canary',
      headers: D,
      payload: { reason: 'done' },
    });
    expect(end.json().deployment.canary).toBeNull();
    const again = await app.inject({
      method: 'DELETE',
      url: '/v1/models/churn/canary',
      headers: D,
      payload: { reason: 'done' },
    });
    expect(again.statusCode).toBe(404);
  });

  it('refuses a predictor (403), unknown fields (400), a missing reason (400) and unknown models (404)', async () => {
    const { app } = withRegistry();
    const post = (url: string, payload: unknown, headers = D) =>
      app.inject({ method: 'POST', url, headers, payload: payload as object });
    expect(
      (await post('/v1/models/churn/promote', { version: 2, reason: 'x' }, { ...D, ...P }))
        .statusCode,
    ).toBe(403);
    expect(
      (await post('/v1/models/churn/promote', { version: 2, reason: 'x', stage: 'prod' }))
        .statusCode,
    ).toBe(400);
    expect((await post('/v1/models/churn/promote', { version: 2 })).statusCode).toBe(400);
    expect((await post('/v1/models/other/promote', { version: 2, reason: 'x' })).statusCode).toBe(
      404,
    );
    expect(
      (await app.inject({ method: 'GET', url: '/v1/models/other/deployment', headers: D }))
        .statusCode,
    ).toBe(404);
  });

  it('answers 501 when no registry is wired', async () => {
    const { app } = serve();
    const res = await app.inject({
      method: 'GET',
      url: '/v1/models',
      headers: bearer('deployer-token'),
    });
    expect(res.statusCode).toBe(501);
  });
});

describe('shutdown', () => {
  it('drains in-flight requests, then closes the host', async () => {
    const { server, host } = serve({ auth: 'off' });
    host.models.get('churn')!.delayMs = 200;
    const url = await server.listen({ port: 0 });
    const inFlight = fetch(`${url}/v1/models/churn/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ row: { tenure: 1, plan: 'a' } }),
    });
    await new Promise((r) => setTimeout(r, 50));
    const closed = server.close();
    const res = await inFlight;
    expect(res.status).toBe(200);
    await closed;
    expect(host.closed).toBe(true);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});

describe('slow clients', () => {
  it('closes a never-finished body with 408 after the request timeout; others are served meanwhile', async () => {
    const { server } = serve({ auth: 'off', requestTimeoutMs: 500 });
    const url = new URL(await server.listen({ port: 0 }));
    const socket = connect(Number(url.port), url.hostname);
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk;
    });
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.write(
      'POST /v1/models/churn/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"row":',
    );
    const other = await fetch(`${url.origin}/v1/models/churn/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ row: { tenure: 1, plan: 'a' } }),
    });
    expect(other.status).toBe(200);
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });
});
