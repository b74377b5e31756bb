import QuickLRU from 'quick-lru';

/**
 * A per-process cache of at most `atMost` entries that always keeps the most recent half:
 * quick-lru holds two generations of maxSize each and drops the older one whole (a Map
 * evicting one entry at a time scans the holes its deletes leave). The token and attempt
 * caches of the hot path (TOKEN_CACHE_SIZE, ATTEMPT_CACHE_SIZE) are sized this way.
 */
export function boundedLru<K, V>(atMost: number): QuickLRU<K, V> {
  return new QuickLRU<K, V>({ maxSize: Math.max(1, Math.ceil(atMost / 2)) });
}
