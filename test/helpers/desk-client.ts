// A small HTTP client for desk API tests: keeps the session cookie and the CSRF token.
export interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test assertions read arbitrary JSON
  text: string;
  headers: Headers;
}

export class DeskClient {
  readonly base: string;
  cookie = '';
  csrf = '';

  constructor(base: string) {
    this.base = base;
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    opts: { csrf?: boolean; headers?: Record<string, string>; raw?: string | Buffer } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (this.cookie) headers.cookie = this.cookie;
    if (this.csrf && opts.csrf !== false && method !== 'GET') headers['x-csrf-token'] = this.csrf;
    let payload: string | Buffer | undefined;
    if (opts.raw !== undefined) payload = opts.raw;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] ??= 'application/json';
    }
    const bodyInit = typeof payload === 'string' || payload === undefined ? payload : new Uint8Array(payload);
    const res = await fetch(this.base + path, { method, headers, ...(bodyInit !== undefined ? { body: bodyInit } : {}) });
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('fd_session='));
    if (setCookie) this.cookie = setCookie.split(';')[0]!;
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text, headers: res.headers };
  }

  get(path: string, opts?: { headers?: Record<string, string> }) {
    return this.request('GET', path, undefined, opts);
  }

  post(path: string, body?: unknown, opts?: { csrf?: boolean; headers?: Record<string, string>; raw?: string | Buffer }) {
    return this.request('POST', path, body, opts);
  }

  put(path: string, body?: unknown, opts?: { csrf?: boolean }) {
    return this.request('PUT', path, body, opts);
  }

  async login(username: string, password: string): Promise<Reply> {
    const r = await this.post('/api/auth/login', { username, password });
    if (r.status === 200) this.csrf = r.body.csrfToken;
    return r;
  }
}
