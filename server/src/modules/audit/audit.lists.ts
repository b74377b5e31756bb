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

// A character from U+D800 on: there, JavaScript's order of strings (UTF-16 code units) and
// the order of their UTF-8 bytes part.
const ASTRAL_OR_HIGH = /[\uD800-\uFFFF]/;

/**
 * sha256 (hex) of a list written one item a line: each line then "\n", in UTF-8. With
 * `sorted`, the lines in the order of their UTF-8 bytes (as `LC_ALL=C sort` sorts, and
 * Postgres's `collate "C"`), for a list whose order carries no meaning; else in the list's
 * order. (No line may be the start of another, or sorting with or without the "\n" parts.)
 */
export function listDigest(lines: readonly string[], opts: { sorted?: boolean } = {}): string {
  const hash = createHash('sha256');
  if (opts.sorted && lines.some((l) => ASTRAL_OR_HIGH.test(l))) {
    const buffers = lines.map((line) => Buffer.from(line + '\n')).sort(Buffer.compare);
    for (const b of buffers) hash.update(b);
    return hash.digest('hex');
  }
  const ordered = opts.sorted ? [...lines].sort() : lines;
  if (ordered.length) hash.update(ordered.join('\n') + '\n');
  return hash.digest('hex');
}

/** What the record says of the list before a change. */
export interface ListState {
  count: number;
  sha256?: string;
}

/** What it says after: the list's size (and digest), and what changed (at most AUDIT_LIST_MAX of each kind). */
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
  /** What names an item. Each list holds a key once (the callers' lists are deduplicated). */
  key: (item: T) => string;
  /** Whether an item kept under its key is unchanged; omitted: an item is nothing but its key (no `changed`). */
  same?: (before: T, after: T) => boolean;
  /** The item as a line of the list's digest (listDigest); omitted: the caller adds `sha256` (the exclusion list's is taken in SQL). */
  line?: (item: T) => string;
  sorted?: boolean;
}

/** The audit record's before and after of a list replaced by another. One pass over each list. */
export function listChange<T>(before: readonly T[], after: readonly T[], opts: ListChangeOptions<T>): { before: ListState; after: ListChange<T> } {
  const old = new Map<string, T>();
  for (const item of before) old.set(opts.key(item), item);
  const added: T[] = [];
  const changed: { before: T; after: T }[] = [];
  let addedCount = 0;
  let changedCount = 0;
  for (const item of after) {
    const k = opts.key(item);
    const was = old.get(k);
    if (was === undefined) {
      if (addedCount++ < AUDIT_LIST_MAX) added.push(item);
      continue;
    }
    // What is left in `old` at the end was removed.
    old.delete(k);
    if (opts.same && !opts.same(was, item) && changedCount++ < AUDIT_LIST_MAX) changed.push({ before: was, after: item });
  }
  const removedCount = old.size;
  const removed: T[] = [];
  for (const item of old.values()) {
    if (removed.length === AUDIT_LIST_MAX) break;
    removed.push(item);
  }
  const line = opts.line;
  return {
    before: { count: before.length, ...(line ? { sha256: listDigest(before.map(line), opts) } : {}) },
    after: {
      count: after.length,
      ...(line ? { sha256: listDigest(after.map(line), opts) } : {}),
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
