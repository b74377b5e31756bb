import { describe, expect, it } from 'vitest';
import { FIRST_LOGIN_DELAY_MS, loginDelayMs, MAX_LOGIN_DELAY_MS } from '../../server/src/lib/login-failures';
import { Semaphore } from '../../server/src/lib/semaphore';
import { TokenVersions, type VersionMove } from '../../server/src/lib/token-versions';

describe('loginDelayMs', () => {
  it('is free for the first four failures, then doubles from 30 s up to 15 minutes', () => {
    expect([0, 1, 4].map(loginDelayMs)).toEqual([0, 0, 0]);
    expect([5, 6, 7, 8].map(loginDelayMs)).toEqual([FIRST_LOGIN_DELAY_MS, 2 * FIRST_LOGIN_DELAY_MS, 4 * FIRST_LOGIN_DELAY_MS, 8 * FIRST_LOGIN_DELAY_MS]);
    expect(loginDelayMs(10)).toBe(MAX_LOGIN_DELAY_MS);
    expect(loginDelayMs(1_000_000)).toBe(MAX_LOGIN_DELAY_MS);
  });
});

describe('Semaphore', () => {
  it('runs at most max at once, queues up to queue more and refuses the rest', async () => {
    const s = new Semaphore(2, 1);
    let running = 0;
    let peak = 0;
    const gates: (() => void)[] = [];
    const task = () =>
      new Promise<number>((resolve) => {
        running++;
        peak = Math.max(peak, running);
        gates.push(() => {
          running--;
          resolve(1);
        });
      });
    const a = s.run(task);
    const b = s.run(task);
    const c = s.run(task);
    expect(await s.run(task)).toBeNull();
    expect(s.queued).toBe(1);
    gates.shift()!();
    await a;
    await new Promise((r) => setTimeout(r, 0));
    while (gates.length) gates.shift()!();
    await Promise.all([b, c]);
    expect(peak).toBe(2);
    expect(s.inUse).toBe(0);
    expect(await s.run(async () => 7)).toEqual({ value: 7 });
  });
});

describe('TokenVersions', () => {
  function source() {
    const moves: VersionMove[] = [];
    let now = 1_000_000;
    const asked: number[] = [];
    const versions = new TokenVersions(
      async (since) => {
        asked.push(since);
        return { moves: moves.filter((m) => m.changedAtMs > since), dbNowMs: now };
      },
      { windowMs: 3_600_000, overlapMs: 10_000, now: () => now },
    );
    return { versions, moves, asked, tick: (ms: number) => (now += ms), now: () => now };
  }

  it('refuses tokens older than the version it learned, and accepts the new ones', async () => {
    const s = source();
    await s.versions.refresh();
    expect(s.versions.isRevoked('u1', 0)).toBe(false);
    s.moves.push({ userId: 'u1', version: 2, disabled: false, changedAtMs: s.now() });
    s.tick(1000);
    await s.versions.refresh();
    expect(s.versions.isRevoked('u1', 0)).toBe(true);
    expect(s.versions.isRevoked('u1', 1)).toBe(true);
    expect(s.versions.isRevoked('u1', 2)).toBe(false);
    expect(s.versions.isRevoked('u2', 0)).toBe(false);
  });

  it('refuses every token of a disabled account', async () => {
    const s = source();
    s.versions.apply({ userId: 'u1', version: 3, disabled: true, changedAtMs: s.now() });
    expect(s.versions.isRevoked('u1', 3)).toBe(true);
    expect(s.versions.isRevoked('u1', 99)).toBe(true);
  });

  it('loads a token lifetime of moves first, then polls from its last answer minus an overlap', async () => {
    const s = source();
    await s.versions.refresh();
    expect(s.asked[0]).toBe(s.now() - 3_600_000);
    s.tick(1000);
    await s.versions.refresh();
    expect(s.asked[1]).toBe(s.now() - 1000 - 10_000);
  });

  it('keeps the newest version when an older read comes late, and forgets moves older than any live token', async () => {
    const s = source();
    s.versions.apply({ userId: 'u1', version: 5, disabled: false, changedAtMs: s.now() });
    s.versions.apply({ userId: 'u1', version: 4, disabled: false, changedAtMs: s.now() });
    expect(s.versions.isRevoked('u1', 4)).toBe(true);
    s.tick(3_600_000 + 20_000);
    await s.versions.refresh();
    expect(s.versions.size).toBe(0);
  });

  it('a load that never answers fails its poll after loadTimeoutMs, and the next poll loads again', async () => {
    const moves: VersionMove[] = [{ userId: 'u1', version: 2, disabled: false, changedAtMs: 999_000 }];
    let calls = 0;
    const versions = new TokenVersions(
      (since) => {
        calls++;
        // The first load hangs, as a query can while Postgres restarts.
        if (calls === 1) return new Promise(() => {});
        return Promise.resolve({ moves: moves.filter((m) => m.changedAtMs > since), dbNowMs: 1_000_000 });
      },
      { windowMs: 3_600_000, overlapMs: 10_000, loadTimeoutMs: 50, now: () => 1_000_000 },
    );
    await expect(versions.refresh()).rejects.toMatchObject({ name: 'TimeoutError', code: 'ETIMEDOUT' });
    expect(versions.isRevoked('u1', 0)).toBe(false);
    await versions.refresh();
    expect(calls).toBe(2);
    expect(versions.isRevoked('u1', 0)).toBe(true);
  });
});

describe('one-time code helpers', () => {
  it('hash a code bound to phone and purpose, compare in constant time, and seal messages both ways', async () => {
    const { codeMatches, hashCode, newCode, normalizeCode, openMessage, otpKeys, renderMessage, sealMessage } = await import('../../server/src/lib/otp');
    const keys = otpKeys('s'.repeat(40));
    const code = newCode();
    expect(code).toMatch(/^\d{6}$/);
    const h = hashCode(keys.mac, '0912345678', 'reset', code);
    expect(h).not.toContain(code);
    expect(codeMatches(keys.mac, '0912345678', 'reset', code, h)).toBe(true);
    expect(codeMatches(keys.mac, '0912345678', 'register', code, h)).toBe(false);
    expect(codeMatches(keys.mac, '0912345679', 'reset', code, h)).toBe(false);
    expect(normalizeCode(' 123 456 ')).toBe('123456');
    expect(normalizeCode('12345')).toBeNull();
    expect(renderMessage('Mã của bạn: {code}.', '042137')).toBe('Mã của bạn: 042137.');
    const sealed = sealMessage(keys.seal, 'Mã: 042137');
    expect(sealed).not.toContain('042137');
    expect(openMessage(keys.seal, sealed)).toBe('Mã: 042137');
    expect(() => openMessage(otpKeys('other-secret').seal, sealed)).toThrow();
  });
});
