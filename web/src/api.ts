/**
 * The dashboard's only way to the server: GET requests to the documented
 * `/v1` routes on the same origin, with the viewer token kept in
 * sessionStorage (gone when the tab closes). A 401 becomes an
 * `Unauthorized` error, which the shell answers with the token form.
 */
import type {
  Alert,
  AliasMove,
  AuditEntry,
  FreshnessTable,
  Me,
  ModelDetail,
  ModelSummary,
  MonitorReport,
  Run,
} from './api-types.js';

const TOKEN_KEY = 'flywheel.token';
let memoryToken: string | undefined;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class Unauthorized extends ApiError {}

export function storedToken(): string | undefined {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function storeToken(token: string | undefined): void {
  try {
    if (token === undefined) sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // sessionStorage may be disabled; the token then lasts until reload.
  }
  memoryToken = token;
}

function authHeaders(): Record<string, string> {
  const token = storedToken() ?? memoryToken;
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}

async function failure(res: Response): Promise<ApiError> {
  let code = `HTTP_${res.status}`;
  let message = res.statusText || `the server answered ${res.status}`;
  try {
    const body = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === 'string') code = body.error.code;
    if (typeof body.error?.message === 'string') message = body.error.message;
  } catch {
    // Not JSON: keep the status line.
  }
  return res.status === 401
    ? new Unauthorized(res.status, code, message)
    : new ApiError(res.status, code, message);
}

async function request(path: string): Promise<Response> {
  const res = await fetch(path, {
    headers: { accept: 'application/json', ...authHeaders() },
    credentials: 'omit',
    cache: 'no-store',
  });
  if (!res.ok) throw await failure(res);
  return res;
}

export async function getJson<T>(path: string): Promise<T> {
  return (await (await request(path)).json()) as T;
}

const seg = encodeURIComponent;

export const api = {
  me: () => getJson<Me>('/v1/me'),
  runs: (limit = 100) =>
    getJson<{ runs?: Run[] }>(`/v1/runs?limit=${limit}`).then((r) => r.runs ?? []),
  /** The run's self-contained HTML report, fetched with the token. */
  reportHtml: async (runId: string) => (await request(`/v1/runs/${seg(runId)}/report`)).text(),
  reportUrl: (runId: string) => `/v1/runs/${seg(runId)}/report`,
  models: () => getJson<{ models?: ModelSummary[] }>('/v1/models').then((r) => r.models ?? []),
  model: (name: string) => getJson<ModelDetail>(`/v1/models/${seg(name)}`),
  history: (name: string) =>
    getJson<{ moves?: AliasMove[] }>(`/v1/models/${seg(name)}/history`).then((r) => r.moves ?? []),
  monitoring: (name: string, window: string, count: number) =>
    getJson<MonitorReport>(
      `/v1/monitoring/${seg(name)}?window=${seg(window)}&count=${seg(String(count))}`,
    ),
  alerts: (state: 'firing' | 'resolved' | 'all' = 'all') =>
    getJson<{ alerts?: Alert[] }>(`/v1/alerts?state=${state}`).then((r) => r.alerts ?? []),
  audit: (limit = 200) =>
    getJson<{ entries?: AuditEntry[] }>(`/v1/audit?limit=${limit}`).then((r) => r.entries ?? []),
  freshness: () =>
    getJson<{ tables?: FreshnessTable[] }>('/v1/features/freshness').then((r) => r.tables ?? []),
};
