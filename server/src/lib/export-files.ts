// The folders exports are written into (modules/exports/exports.file.ts), in the OS temp
// folder. Each is named `thi-export-<pid>-XXXXXX` after the process that made it, removed once
// its file is open for sending, when its request is aborted, and, for those still there when
// the process exits (a stop's drain ran out), on the way out. What a kill or a crash leaves
// behind is swept at the next start (sweepStaleExportDirs). The files carry personal data.
import { rmSync } from 'node:fs';
import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const EXPORT_DIR_PREFIX = 'thi-export-';
const NAME = /^thi-export-(\d+)-[A-Za-z0-9]{6}$/;

/**
 * A folder untouched this long is nobody's export: an export's file is written without pause
 * while it is made (rows go to disk, which never pushes back for long) and is removed as soon
 * as it is sent, so a live one is seconds old. One hour is the rule whoever made it.
 */
export const STALE_MS = 3_600_000;
/**
 * A folder whose maker is gone (its pid names no process) goes sooner, once untouched this
 * long: the minute covers a pid read in another pid namespace sharing the temp folder (a
 * live writer there keeps its file fresh).
 */
export const ORPHAN_MS = 60_000;

/** This process's folders not yet removed. */
const live = new Set<string>();
let exitHook = false;

/** Removes this process's export folders still on disk; synchronous, for process 'exit'. */
export function removeLiveExportDirs(): number {
  let n = 0;
  for (const dir of live) {
    try {
      rmSync(dir, { recursive: true, force: true });
      n++;
    } catch {
      // Exiting: nothing more can be done; the next start's sweep takes it.
    }
  }
  live.clear();
  return n;
}

export interface ExportDir {
  path: string;
  /** Removes the folder and its file (again is harmless). */
  remove(): Promise<void>;
}

/** A new folder for one export, removed on the way out if it is still there then. */
export async function makeExportDir(root = tmpdir()): Promise<ExportDir> {
  const path = await mkdtemp(join(root, `${EXPORT_DIR_PREFIX}${process.pid}-`));
  live.add(path);
  if (!exitHook) {
    exitHook = true;
    // process.exit() runs 'exit' listeners, synchronously: the drain's deadline ends that way.
    process.on('exit', removeLiveExportDirs);
  }
  return {
    path,
    remove: async () => {
      live.delete(path);
      await rm(path, { recursive: true, force: true });
    },
  };
}

/** Whether a process with this pid runs (EPERM: it does, as another user). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The newest change to the folder or what is in it (a file being written keeps it fresh). */
async function lastTouchedMs(dir: string, own: number): Promise<number> {
  let newest = own;
  for (const name of await readdir(dir)) {
    const s = await lstat(join(dir, name)).catch(() => null);
    if (s) newest = Math.max(newest, s.mtimeMs);
  }
  return newest;
}

/**
 * Removes export folders left in `root` by processes of this app that were killed or
 * crashed: only folders named as makeExportDir names them, owned by this user, not made by
 * this process, and untouched for STALE_MS, or for ORPHAN_MS when the process that made them
 * is gone. Another live process's folder is never removed (its file is being written). The
 * pid alone is not enough: a container numbers its processes the same at every start, so a
 * dead worker's pid is often a live worker's again (then the hour rule takes the folder).
 * Returns the paths removed.
 */
export async function sweepStaleExportDirs(o: { root?: string; now?: number } = {}): Promise<string[]> {
  const root = o.root ?? tmpdir();
  const now = o.now ?? Date.now();
  const uid = process.getuid?.();
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = NAME.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid) continue;
    const dir = join(root, name);
    try {
      const s = await lstat(dir);
      if (!s.isDirectory() || (uid !== undefined && s.uid !== uid)) continue;
      const age = now - (await lastTouchedMs(dir, s.mtimeMs));
      if (age > STALE_MS || (age > ORPHAN_MS && !running(pid))) {
        await rm(dir, { recursive: true, force: true });
        removed.push(dir);
      }
    } catch {
      // Gone meanwhile (another process's sweep), or unreadable: not ours to insist on.
    }
  }
  return removed;
}
