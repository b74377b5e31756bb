// How a change to a whole list (the exclusion list, a round's pool, a contest's members, an
// import) is audited: by what changed, never by the list. A province's exclusion list is
// tens of thousands of entries, saved whole on every edit; a record holding the list before
// and after each time made the log (and every read of it) grow by megabytes a save.
import { createHash } from 'node:crypto';

/**
 * Above this size (as stored) a record's before or after is left out of a list (audit.repo.ts
 * listAudit); GET /admin/audit/:id gives it whole.
 */
export const LIST_JSON_MAX = 16 * 1024;

/** How many items of each kind (added, removed, changed, created) a record names; its counts say the rest. */
export const AUDIT_LIST_MAX = 50;

/**
 * sha256 (hex) of a list written one item a line: each line then "\n", in UTF-8. With
 * `sorted`, the lines in the byte order of their UTF-8 (as `LC_ALL=C sort` sorts), for a
 * list whose order carries no meaning; else in the list's order.
 */
export function listDigest(lines: readonly string[], opts: { sorted?: boolean } = {}): string {
  const hash = createHash('sha256');
  if (!opts.sorted) {
    for (const line of lines) hash.update(line + '\n');
    return hash.digest('hex');
  }
  const buffers = lines.map((line) => Buffer.from(line + '\n'));
  buffers.sort(Buffer.compare);
  for (const b of buffers) hash.update(b);
  return hash.digest('hex');
}

/** What the record says of the list before a change. */
export interface ListState {
  count: number;
  sha256: string;
}

/** What it says after: the list's size and digest, and what changed (at most AUDIT_LIST_MAX of each kind). */
export interface ListChange<T> extends ListState {
  added: T[];
  addedCount: number;
  removed: T[];
  removedCount: number;
  /** Items kept under the same key whose other fields changed; only for lists whose items have any. */
  changed?: { before: T; after: T }[];
  changedCount?: number;
  /** Some added, removed or changed items are left out (only their counts say how many). */
  truncated: boolean;
}

export interface ListChangeOptions<T> {
  /** What names an item: items of the same key are one item, kept or changed. */
  key: (item: T) => string;
  /** The item as a line of the digest. */
  line: (item: T) => string;
  sorted?: boolean;
  /** Whether an item kept under its key is unchanged; omitted: an item is nothing but its key (no `changed`). */
  same?: (before: T, after: T) => boolean;
}

/** The audit record's before and after of a list replaced by another. */
export function listChange<T>(before: readonly T[], after: readonly T[], opts: ListChangeOptions<T>): { before: ListState; after: ListChange<T> } {
  const old = new Map<string, T>();
  for (const item of before) if (!old.has(opts.key(item))) old.set(opts.key(item), item);
  const kept = new Set<string>();
  const added: T[] = [];
  const changed: { before: T; after: T }[] = [];
  let addedCount = 0;
  let changedCount = 0;
  for (const item of after) {
    const k = opts.key(item);
    if (kept.has(k)) continue;
    kept.add(k);
    const was = old.get(k);
    if (was === undefined) {
      if (addedCount++ < AUDIT_LIST_MAX) added.push(item);
    } else if (opts.same && !opts.same(was, item)) {
      if (changedCount++ < AUDIT_LIST_MAX) changed.push({ before: was, after: item });
    }
  }
  const removed: T[] = [];
  let removedCount = 0;
  for (const [k, item] of old) {
    if (kept.has(k)) continue;
    if (removedCount++ < AUDIT_LIST_MAX) removed.push(item);
  }
  return {
    before: { count: before.length, sha256: listDigest(before.map(opts.line), opts) },
    after: {
      count: after.length,
      sha256: listDigest(after.map(opts.line), opts),
      added,
      addedCount,
      removed,
      removedCount,
      ...(opts.same ? { changed, changedCount } : {}),
      truncated: addedCount > added.length || removedCount > removed.length || changedCount > changed.length,
    },
  };
}

/** A list recorded in part: its first AUDIT_LIST_MAX items, and whether more were left out. */
export function listHead<T>(items: readonly T[]): { items: T[]; truncated: boolean } {
  return { items: items.slice(0, AUDIT_LIST_MAX), truncated: items.length > AUDIT_LIST_MAX };
}
