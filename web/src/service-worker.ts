/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
// Keeps the app shell and the code already used on this device, so a reload without a
// connection still opens the running attempt (its answers live in localStorage). The API is
// never cached: answers and results always come from the server.
import { build, files, version } from '$service-worker';

const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `ttt-${version}`;
const SHELL = '/';
const known = new Set([...build, ...files]);

function cacheable(url: URL): boolean {
  return url.origin === sw.location.origin && (url.pathname.startsWith('/_app/immutable/') || known.has(url.pathname));
}

sw.addEventListener('install', (event) => {
  // Only the shell up front: a phone on a slow link should not download every page's code.
  event.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.add(SHELL))
      .then(() => sw.skipWaiting()),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => sw.clients.claim()),
  );
});

// The page reports the code it loaded before this worker took control.
sw.addEventListener('message', (event) => {
  const data = event.data as { type?: string; urls?: unknown } | null;
  if (data?.type !== 'cache' || !Array.isArray(data.urls)) return;
  const urls = data.urls.filter((u): u is string => typeof u === 'string').filter((u) => cacheable(new URL(u, sw.location.origin)));
  event.waitUntil(caches.open(CACHE).then((c) => Promise.all(urls.map((u) => c.match(u).then((hit) => hit ?? c.add(u).catch(() => undefined))))));
});

sw.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== sw.location.origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/docs')) return;

  if (req.mode === 'navigate') {
    // Network first (new builds show up at once), the cached shell when offline.
    event.respondWith(
      fetch(req).then(
        (res) => {
          if (res.ok) void caches.open(CACHE).then((c) => c.put(SHELL, res.clone()));
          return res;
        },
        async () => (await caches.match(SHELL)) ?? Response.error(),
      ),
    );
    return;
  }

  if (cacheable(url)) {
    // Hashed files never change: cache first, and keep what the network brings.
    event.respondWith(
      caches.match(req).then(
        (hit) =>
          hit ??
          fetch(req).then((res) => {
            if (res.ok) {
              const copy = res.clone();
              void caches.open(CACHE).then((c) => c.put(req, copy));
            }
            return res;
          }),
      ),
    );
  }
});
