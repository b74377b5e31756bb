import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, contestMembers, users } from '../../../db/schema/index';
import { useTestApp, makeTestApp, type TestContext } from '../../helpers/app';
import { addMember, bearer, makeContest, makeResident, makeRound, makeStaff, PASSWORD, tokenFor } from '../../helpers/factories';
import { makeClosedRound } from '../../helpers/results-factories';
import { login, call } from '../../helpers/requests';

const t = useTestApp();
const db = () => t.database.db;

const me = (app: TestContext['app'], token: string) => app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) });
const post = (app: TestContext['app'], url: string, token: string, payload?: object) => call(app, 'POST', url, token, payload);

/** Polls until `check` holds or `ms` pass; the revocation contract is "within 5 s". */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await check()) return Date.now() - t0;
    if (Date.now() - t0 > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function claims(token: string) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { iat: number; exp: number; tv: number; pwc?: boolean };
}

describe('revoking tokens', () => {
  it('logout-all: every older token answers 401 TOKEN_REVOKED on every route, the hot path included', async () => {
    const contest = await makeContest(db());
    const { round } = await makeRound(db(), contest.id, { questionCount: 2, maxAttempts: 3 }, 2);
    const resident = await makeResident(db());
    const old = (await login(t.app, resident.phone)).json().token as string;
    const other = (await login(t.app, resident.phone)).json().token as string;
    const started = (await post(t.app, `/rounds/${round.id}/attempts`, old)).json();
    expect(started.attemptId).toBeTruthy();

    expect((await post(t.app, '/auth/logout-all', old)).statusCode).toBe(204);
    for (const token of [old, other]) {
      const res = await me(t.app, token);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('TOKEN_REVOKED');
      expect((await post(t.app, `/rounds/${round.id}/attempts`, token)).json().code).toBe('TOKEN_REVOKED');
      const submit = await post(t.app, `/attempts/${started.attemptId}/submit`, token, { answers: [], prediction: 1 });
      expect(submit.json().code).toBe('TOKEN_REVOKED');
    }
    const fresh = (await login(t.app, resident.phone)).json().token as string;
    expect((await me(t.app, fresh)).statusCode).toBe(200);
    expect(claims(fresh).tv).toBe(claims(old).tv + 1);
  });

  it('reaches another API process within 5 s, with Redis and without it', async () => {
    const noRedis = await makeTestApp({ database: t.database, withRedis: false });
    try {
      const contest = await makeContest(db());
      const { round } = await makeRound(db(), contest.id, { questionCount: 2, maxAttempts: 3 }, 2);
      const resident = await makeResident(db());
      const token = (await login(t.app, resident.phone)).json().token as string;
      // Both processes have verified (and cached) the token on the hot path.
      expect((await post(noRedis.app, `/rounds/${round.id}/attempts`, token)).statusCode).toBe(201);
      expect((await me(t.app, token)).statusCode).toBe(200);

      expect((await post(t.app, '/auth/logout-all', token)).statusCode).toBe(204);
      const took = await within(5000, async () => (await post(noRedis.app, `/rounds/${round.id}/attempts`, token)).statusCode === 401);
      expect(took).toBeLessThan(5000);
      expect((await me(noRedis.app, token)).json().code).toBe('TOKEN_REVOKED');
    } finally {
      await noRedis.close();
    }
  });

  it("a password change revokes every older token, the caller's too; a wrong current password is 403", async () => {
    const resident = await makeResident(db());
    const token = (await login(t.app, resident.phone)).json().token as string;
    const wrong = await post(t.app, '/auth/password', token, { currentPassword: 'nope-nope', newPassword: 'mat-khau-moi-1' });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().code).toBe('WRONG_PASSWORD');
    expect((await me(t.app, token)).statusCode).toBe(200);
    const short = await post(t.app, '/auth/password', token, { currentPassword: PASSWORD, newPassword: 'short' });
    expect(short.statusCode).toBe(400);

    expect((await post(t.app, '/auth/password', token, { currentPassword: PASSWORD, newPassword: 'mat-khau-moi-1' })).statusCode).toBe(204);
    expect((await me(t.app, token)).json().code).toBe('TOKEN_REVOKED');
    expect((await login(t.app, resident.phone)).statusCode).toBe(401);
    expect((await login(t.app, resident.phone, 'mat-khau-moi-1')).statusCode).toBe(200);
  });

  it('gives staff a shorter token than residents', async () => {
    const resident = await makeResident(db());
    const judge = await makeStaff(db(), 'judge');
    const r = claims((await login(t.app, resident.phone)).json().token);
    const j = claims((await login(t.app, judge.phone)).json().token);
    expect(r.exp - r.iat).toBe(3600);
    expect(j.exp - j.iat).toBe(1800);
  });

  it('reads a lifetime without a unit as seconds, as the README says (a bare "3600" is an hour, not 3.6 s)', async () => {
    const bare = await makeTestApp({ database: t.database, config: { JWT_EXPIRES_IN: '3600', STAFF_JWT_EXPIRES_IN: '900', TRUST_PROXY: undefined } });
    try {
      const r = claims((await login(bare.app, (await makeResident(db())).phone)).json().token);
      const j = claims((await login(bare.app, (await makeStaff(db(), 'judge')).phone)).json().token);
      expect(r.exp - r.iat).toBe(3600);
      expect(j.exp - j.iat).toBe(900);
    } finally {
      await bare.close();
    }
  });
});

describe('PATCH /admin/users/:userId and GET /admin/users', () => {
  it('a demoted judge stops finalizing at once, loses memberships, and it is audited', async () => {
    const admin = tokenFor(t.app, await makeStaff(db(), 'admin'));
    const contest = await makeContest(db());
    const { round } = await makeClosedRound(db(), contest.id, { questionCount: 1 }, 1);
    const judge = await makeStaff(db(), 'judge');
    await addMember(db(), contest.id, judge);
    const judgeToken = (await login(t.app, judge.phone)).json().token as string;
    expect((await post(t.app, `/judge/rounds/${round.id}/finalize`, judgeToken)).statusCode).toBe(200);

    const res = await t.app.inject({ method: 'PATCH', url: `/api/v1/admin/users/${judge.id}`, headers: bearer(admin), payload: { role: 'organizer' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: judge.id, role: 'organizer', disabled: false });
    const after = await post(t.app, `/judge/rounds/${round.id}/finalize`, judgeToken);
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('TOKEN_REVOKED');
    expect(await db().select().from(contestMembers).where(eq(contestMembers.userId, judge.id))).toHaveLength(0);
    const [audit] = await db().select().from(auditLog).where(eq(auditLog.entityId, judge.id));
    expect(audit).toMatchObject({ action: 'user.update', before: { role: 'judge', disabled: false }, after: { role: 'organizer', disabled: false } });
  });

  it('a disabled resident is refused on the hot path and cannot log in (401 ACCOUNT_DISABLED); enabling lets them back', async () => {
    const admin = tokenFor(t.app, await makeStaff(db(), 'admin'));
    const contest = await makeContest(db());
    const { round } = await makeRound(db(), contest.id, { questionCount: 2, maxAttempts: 3 }, 2);
    const resident = await makeResident(db());
    const token = (await login(t.app, resident.phone)).json().token as string;
    const patch = (disabled: boolean) =>
      t.app.inject({ method: 'PATCH', url: `/api/v1/admin/users/${resident.id}`, headers: bearer(admin), payload: { disabled } });
    expect((await patch(true)).json().disabled).toBe(true);
    expect((await post(t.app, `/rounds/${round.id}/attempts`, token)).json().code).toBe('TOKEN_REVOKED');
    const refused = await login(t.app, resident.phone);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().code).toBe('ACCOUNT_DISABLED');
    // A wrong password learns nothing about the account.
    expect((await login(t.app, resident.phone, 'wrong-password')).json().code).toBe('INVALID_CREDENTIALS');
    expect((await patch(false)).json().disabled).toBe(false);
    const back = (await login(t.app, resident.phone)).json().token as string;
    expect((await post(t.app, `/rounds/${round.id}/attempts`, back)).statusCode).toBe(201);
  });

  it('finds accounts by phone in any form or by a few digits; refuses non-admins, oneself and bad input, changing nothing', async () => {
    const adminUser = await makeStaff(db(), 'admin');
    const admin = tokenFor(t.app, adminUser);
    const resident = await makeResident(db());
    const find = (phone: string, token = admin) =>
      t.app.inject({ method: 'GET', url: `/api/v1/admin/users?phone=${encodeURIComponent(phone)}`, headers: bearer(token) });
    expect((await find(`+84${resident.phone.slice(1)}`)).json()).toEqual([expect.objectContaining({ id: resident.id, disabled: false })]);
    expect((await find(resident.phone.slice(-6))).json().map((u: { id: string }) => u.id)).toContain(resident.id);
    expect((await find('12')).statusCode).toBe(400);
    const organizer = await makeStaff(db(), 'organizer');
    expect((await find(resident.phone, tokenFor(t.app, organizer))).statusCode).toBe(403);

    const patch = (id: string, payload: object, token = admin) =>
      t.app.inject({ method: 'PATCH', url: `/api/v1/admin/users/${id}`, headers: bearer(token), payload });
    expect((await patch(resident.id, { disabled: true }, tokenFor(t.app, organizer))).statusCode).toBe(403);
    expect((await patch(adminUser.id, { role: 'judge' })).json().code).toBe('CANNOT_CHANGE_SELF');
    expect((await patch(resident.id, {})).statusCode).toBe(400);
    expect((await patch(resident.id, { role: 'king' })).statusCode).toBe(400);
    expect((await patch(organizer.id, { role: 'resident' })).statusCode).toBe(400); // no national id
    expect((await patch('no-such-user', { disabled: true })).statusCode).toBe(404);
    const [row] = await db().select().from(users).where(eq(users.id, resident.id));
    expect(row).toMatchObject({ role: 'resident', disabledAt: null, tokenVersion: 0 });
  });
});

describe('POST /admin/users/:userId/password-reset (help desk)', () => {
  it('lets a resident locked out by wrong passwords log in with the temporary password at once', async () => {
    const resident = await makeResident(db());
    let locked;
    for (let i = 0; i < 10 && locked?.statusCode !== 429; i++) locked = await login(t.app, resident.phone, 'sai-mat-khau');
    expect(locked!.statusCode).toBe(429);
    const res = await post(t.app, `/admin/users/${resident.id}/password-reset`, tokenFor(t.app, await makeStaff(db(), 'admin')));
    expect(res.statusCode).toBe(200);
    const first = await login(t.app, resident.phone, res.json().temporaryPassword);
    expect(first.statusCode).toBe(200);
    expect(first.json().mustChangePassword).toBe(true);
  });

  it('gives a temporary password once; the account must change it before anything else', async () => {
    const adminUser = await makeStaff(db(), 'admin');
    const resident = await makeResident(db());
    const oldToken = (await login(t.app, resident.phone)).json().token as string;
    const res = await post(t.app, `/admin/users/${resident.id}/password-reset`, tokenFor(t.app, adminUser));
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const { temporaryPassword } = res.json() as { temporaryPassword: string };
    expect(temporaryPassword).toMatch(/^[a-z2-9]{10}$/);
    expect((await me(t.app, oldToken)).json().code).toBe('TOKEN_REVOKED');
    expect((await login(t.app, resident.phone)).statusCode).toBe(401);

    const first = await login(t.app, resident.phone, temporaryPassword);
    expect(first.statusCode).toBe(200);
    expect(first.json().mustChangePassword).toBe(true);
    const token = first.json().token as string;
    expect((await me(t.app, token)).json()).toMatchObject({ id: resident.id, mustChangePassword: true });
    const blocked = await t.app.inject({ method: 'GET', url: '/api/v1/me/attempts', headers: bearer(token) });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().code).toBe('PASSWORD_CHANGE_REQUIRED');
    expect((await post(t.app, '/auth/password', token, { currentPassword: temporaryPassword, newPassword: 'mat-khau-rieng-9' })).statusCode).toBe(204);

    const after = await login(t.app, resident.phone, 'mat-khau-rieng-9');
    expect(after.json().mustChangePassword).toBeUndefined();
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me/attempts', headers: bearer(after.json().token) })).statusCode).toBe(200);
    const audit = await db().select().from(auditLog).where(eq(auditLog.entityId, resident.id));
    expect(audit.find((a) => a.action === 'user.password_reset')).toMatchObject({ actorId: adminUser.id });
    expect(JSON.stringify(audit)).not.toContain(temporaryPassword);
  });

  it('is not undone by a password change running at the same time', async () => {
    const adminToken = tokenFor(t.app, await makeStaff(db(), 'admin'));
    // The change read the account, checked the password (slow, argon2), then wrote over the reset made meanwhile.
    for (let i = 0; i < 10; i++) {
      const resident = await makeResident(db());
      const [change, reset] = await Promise.all([
        post(t.app, '/auth/password', tokenFor(t.app, resident), { currentPassword: PASSWORD, newPassword: 'mat-khau-moi-456' }),
        post(t.app, `/admin/users/${resident.id}/password-reset`, adminToken),
      ]);
      expect(reset.statusCode).toBe(200);
      // Before the reset: 204. After it: 401 TOKEN_REVOKED (the token is older than the reset) or 403 WRONG_PASSWORD.
      expect([204, 401, 403]).toContain(change.statusCode);
      if (change.statusCode === 401) expect(change.json().code).toBe('TOKEN_REVOKED');
      const [row] = await db().select().from(users).where(eq(users.id, resident.id));
      expect(row.passwordChangeRequired).toBe(true);
      const temporary = await login(t.app, resident.phone, reset.json().temporaryPassword, { remoteAddress: `10.4.${i}.1` });
      expect([temporary.statusCode, temporary.json().mustChangePassword]).toEqual([200, true]);
    }
  });

  it('is for admins only', async () => {
    const resident = await makeResident(db());
    const organizer = await makeStaff(db(), 'organizer');
    expect((await post(t.app, `/admin/users/${resident.id}/password-reset`, tokenFor(t.app, organizer))).statusCode).toBe(403);
    expect((await post(t.app, `/admin/users/${resident.id}/password-reset`, tokenFor(t.app, resident))).statusCode).toBe(403);
  });
});
