// The one door to the API: base URL, bearer token, API.md's error shape as a typed ApiError,
// and retries for calls that are safe to repeat. Plain TypeScript so tests can drive it.

export interface FieldProblem {
  field: string;
  message: string;
}

export interface ErrorBody {
  statusCode: number;
  code: string;
  error?: string;
  message: string;
  details?: unknown;
}

/** status 0 with code NETWORK_ERROR: the request never got an answer (offline, dropped, timed out). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Seconds, from Retry-After. */
    readonly retryAfter?: number,
    /** The request's x-request-id (the server's echo, else the one sent): residents quote it to the help desk. */
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get isNetwork(): boolean {
    return this.status === 0;
  }

  /** VALIDATION_FAILED details as `{ field: 'phone', message }` (the `body.` prefix dropped). */
  get fields(): FieldProblem[] {
    if (!Array.isArray(this.details)) return [];
    return this.details
      .filter((d): d is FieldProblem => !!d && typeof d === 'object' && typeof (d as FieldProblem).field === 'string')
      .map((d) => ({ field: d.field.replace(/^(body|query|querystring|params)\./, ''), message: String(d.message ?? '') }));
  }
}

export const NETWORK_ERROR = 'NETWORK_ERROR';

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface ApiDeps {
  baseUrl?: string;
  fetch?: typeof fetch;
  storage?: KeyValueStore | null;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  /** POST/PATCH are retried only when the caller says repeating them is safe (e.g. submit). */
  idempotent?: boolean;
  /** How many times to retry a retryable failure (default 3 for idempotent calls, 0 otherwise). */
  retries?: number;
  signal?: AbortSignal;
  /** Per-try timeout in ms (default 20 s): a hung connection on a phone counts as a network failure. */
  timeoutMs?: number;
  /** Sees the answer before its body is read (for a header the body does not carry). */
  onResponse?: (res: Response) => void;
}

export interface Download {
  blob: Blob;
  filename: string;
  sha256: string | null;
}

export const TOKEN_KEY = 'ttt.token';
const DEVICE_KEY = 'ttt.device';
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

/** Milliseconds to wait before retry number `attempt` (0-based): Retry-After wins, else capped exponential with jitter. */
export function backoffMs(attempt: number, retryAfterSeconds?: number, random: () => number = Math.random): number {
  if (retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds)) return Math.min(60_000, Math.max(0, retryAfterSeconds * 1000));
  const base = Math.min(10_000, 500 * 2 ** attempt);
  return Math.round(base / 2 + random() * (base / 2));
}

/** A fresh id per request try (x-request-id); the server logs it and echoes it back. */
export function newRequestId(random: () => number = Math.random): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  // randomUUID exists only in secure contexts (https, localhost); plain http on a LAN falls back.
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  return Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
}

export function isRetryable(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 0 || RETRYABLE_STATUS.has(err.status));
}

function parseRetryAfter(v: string | null): number | undefined {
  if (!v) return undefined;
  const n = Number(v);
  if (Number.isFinite(n)) return n;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - Date.now()) / 1000);
}

function filenameFrom(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (star) {
    try {
      return decodeURIComponent(star[1]);
    } catch {
      /* fall through to the plain name */
    }
  }
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  return plain ? plain[1] : fallback;
}

export function createApi(deps: ApiDeps = {}) {
  const baseUrl = deps.baseUrl ?? '/api/v1';
  const doFetch = deps.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  const storage = deps.storage === undefined ? (typeof localStorage === 'undefined' ? null : localStorage) : deps.storage;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = deps.now ?? (() => Date.now());
  const random = deps.random ?? Math.random;
  let clockOffsetMs = 0;
  let clockSynced = false;
  let unauthorizedHandler: ((code: string) => void) | null = null;
  let passwordChangeHandler: (() => void) | null = null;

  const getToken = () => storage?.getItem(TOKEN_KEY) ?? null;

  /**
   * A random id for this browser, sent with every call (x-device-id): the judges' fair-play
   * signal "many accounts from one device" compares it. It identifies nothing else.
   */
  function deviceId(): string | null {
    if (!storage) return null;
    let id = storage.getItem(DEVICE_KEY);
    if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
      id = Array.from({ length: 24 }, () => Math.floor(random() * 36).toString(36)).join('');
      storage.setItem(DEVICE_KEY, id);
    }
    return id;
  }

  function url(path: string, query?: RequestOptions['query']): string {
    let u = baseUrl + path;
    if (query) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
      const s = qs.toString();
      if (s) u += (u.includes('?') ? '&' : '?') + s;
    }
    return u;
  }

  function noteServerClock(res: Response, sentAt: number) {
    const date = res.headers.get('date');
    if (!date) return;
    const server = Date.parse(date);
    if (Number.isNaN(server)) return;
    // The Date header has one-second resolution: +500 ms centres the estimate.
    clockOffsetMs = server + 500 - (sentAt + now()) / 2;
    clockSynced = true;
  }

  async function toError(res: Response, sentToken: string | null, sentId: string): Promise<ApiError> {
    let body: Partial<ErrorBody> | null;
    try {
      body = (await res.json()) as Partial<ErrorBody>;
    } catch {
      body = null;
    }
    const code = typeof body?.code === 'string' ? body.code : `HTTP_${res.status}`;
    noteAuthProblem(res.status, code, sentToken);
    return new ApiError(
      res.status,
      code,
      typeof body?.message === 'string' ? body.message : res.statusText || `HTTP ${res.status}`,
      body?.details,
      parseRetryAfter(res.headers.get('retry-after')),
      res.headers.get('x-request-id') ?? sentId,
    );
  }

  /** Tells the session about answers that concern the account itself rather than this one call. */
  function noteAuthProblem(status: number, code: string, sentToken: string | null) {
    // Only about the token still in use: an answer to a call made before a re-login (a password change) says nothing about the new one.
    if (!sentToken || sentToken !== getToken()) return;
    if (status === 401) unauthorizedHandler?.(code);
    else if (status === 403 && code === 'PASSWORD_CHANGE_REQUIRED') passwordChangeHandler?.();
  }

  async function once(method: string, path: string, opts: RequestOptions, accept: 'json' | 'blob'): Promise<Response> {
    const headers: Record<string, string> = { accept: accept === 'json' ? 'application/json' : '*/*' };
    const token = getToken();
    if (token) headers.authorization = `Bearer ${token}`;
    const device = deviceId();
    if (device) headers['x-device-id'] = device;
    const requestId = newRequestId(random);
    headers['x-request-id'] = requestId;
    let body: BodyInit | undefined;
    if (opts.body instanceof FormData) body = opts.body;
    else if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), opts.timeoutMs ?? 20_000);
    const onOuterAbort = () => ctrl.abort();
    opts.signal?.addEventListener('abort', onOuterAbort);
    const sentAt = now();
    try {
      const res = await doFetch(url(path, opts.query), { method, headers, body, signal: ctrl.signal, cache: 'no-store' });
      noteServerClock(res, sentAt);
      if (!res.ok) throw await toError(res, token, requestId);
      return res;
    } catch (err) {
      if (err instanceof ApiError) throw err;
      if (opts.signal?.aborted) throw err;
      throw new ApiError(0, NETWORK_ERROR, (err as Error)?.message || 'Network error', undefined, undefined, requestId);
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onOuterAbort);
    }
  }

  async function withRetries(method: string, path: string, opts: RequestOptions, accept: 'json' | 'blob'): Promise<Response> {
    const safe = method === 'GET' || method === 'PUT' || method === 'DELETE' || opts.idempotent === true;
    const retries = safe ? (opts.retries ?? 3) : 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return await once(method, path, opts, accept);
      } catch (err) {
        if (attempt >= retries || !isRetryable(err) || opts.signal?.aborted) throw err;
        await sleep(backoffMs(attempt, (err as ApiError).retryAfter, random));
      }
    }
  }

  async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await withRetries(method, path, opts, 'json');
    opts.onResponse?.(res);
    if (res.status === 204) return undefined as T;
    const type = res.headers.get('content-type') ?? '';
    if (!type.includes('json')) return (await res.text()) as unknown as T;
    return (await res.json()) as T;
  }

  return {
    request,
    get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, opts),
    post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, { ...opts, body }),
    put: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PUT', path, { ...opts, body }),
    patch: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PATCH', path, { ...opts, body }),
    del: <T = void>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, opts),

    /** A file from the API (exports need the bearer token, so a plain link cannot fetch them). */
    async download(path: string, opts: RequestOptions = {}, fallbackName = 'download'): Promise<Download> {
      const res = await withRetries('GET', path, opts, 'blob');
      return {
        blob: await res.blob(),
        filename: filenameFrom(res.headers.get('content-disposition'), fallbackName),
        sha256: res.headers.get('x-content-sha256'),
      };
    },

    /** Multipart upload with progress (fetch cannot report upload progress; XHR can). Not retried. */
    upload<T>(
      path: string,
      file: Blob,
      opts: { query?: RequestOptions['query']; fileName?: string; onProgress?: (fraction: number) => void } = {},
    ): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open('POST', url(path, opts.query));
        const token = getToken();
        if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
        xhr.setRequestHeader('accept', 'application/json');
        const requestId = newRequestId(random);
        xhr.setRequestHeader('x-request-id', requestId);
        xhr.upload.onprogress = (e) => {
          if (e.lengthComputable) opts.onProgress?.(e.loaded / e.total);
        };
        xhr.onerror = () => reject(new ApiError(0, NETWORK_ERROR, 'Network error', undefined, undefined, requestId));
        xhr.ontimeout = xhr.onerror;
        xhr.onload = () => {
          let body: unknown;
          try {
            body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
          } catch {
            body = null;
          }
          if (xhr.status >= 200 && xhr.status < 300) {
            opts.onProgress?.(1);
            resolve(body as T);
            return;
          }
          const b = (body ?? {}) as Partial<ErrorBody>;
          const code = b.code ?? `HTTP_${xhr.status}`;
          noteAuthProblem(xhr.status, code, token);
          reject(
            new ApiError(
              xhr.status,
              code,
              b.message ?? `HTTP ${xhr.status}`,
              b.details,
              parseRetryAfter(xhr.getResponseHeader('retry-after')),
              xhr.getResponseHeader('x-request-id') ?? requestId,
            ),
          );
        };
        const form = new FormData();
        form.append('file', file, opts.fileName ?? (file instanceof File ? file.name : 'upload'));
        xhr.send(form);
      });
    },

    get token(): string | null {
      return getToken();
    },
    setToken(token: string | null) {
      if (!storage) return;
      if (token) storage.setItem(TOKEN_KEY, token);
      else storage.removeItem(TOKEN_KEY);
    },
    /** Called with the error code when the server answers 401 to a request that carried a token (expired, or TOKEN_REVOKED). */
    onUnauthorized(fn: ((code: string) => void) | null) {
      unauthorizedHandler = fn;
    },
    /** Called when a route answers 403 PASSWORD_CHANGE_REQUIRED (after a help-desk reset). */
    onPasswordChangeRequired(fn: (() => void) | null) {
      passwordChangeHandler = fn;
    },
    /**
     * A moment the server stamped before answering (e.g. an attempt's startedAt) bounds its clock
     * from below with millisecond precision, which the one-second Date header cannot.
     */
    serverTimeAtLeast(stampMs: number) {
      if (Number.isFinite(stampMs) && now() + clockOffsetMs < stampMs) clockOffsetMs = stampMs - now();
    },
    /** The server's clock as far as we can tell from Date headers; countdowns use it, not the phone's clock. */
    serverNow(): number {
      return now() + clockOffsetMs;
    },
    get clockOffsetMs(): number {
      return clockOffsetMs;
    },
    /** Whether a server answer has set the clock yet (until then serverNow() is the device's clock). */
    get clockSynced(): boolean {
      return clockSynced;
    },
  };
}

export type Api = ReturnType<typeof createApi>;

/** The app's instance. */
export const api = createApi();
