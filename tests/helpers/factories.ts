import { randomInt } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import type { FastifyInstance } from 'fastify';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { contestMembers, contests, questions, roundQuestions, rounds, users, type Contest, type Question, type Round, type User } from '../../db/schema/index';
import { makeNationalId } from '../../server/src/lib/identity';

export const PASSWORD = 'matkhau-123';
let passwordHash: Promise<string> | undefined;
const hashed = () => (passwordHash ??= hash(PASSWORD, { memoryCost: 19456, timeCost: 2, parallelism: 1 }));

let seq = randomInt(0, 500_000);
const next = () => ++seq;

/** A unique, valid Vietnamese mobile number. */
export const makePhone = () =>
  '09' +
  String(next() * 7 + randomInt(0, 7))
    .padStart(8, '0')
    .slice(-8);

export async function makeUser(db: Db, overrides: Partial<typeof users.$inferInsert> = {}): Promise<User> {
  const role = overrides.role ?? 'resident';
  const birthYear = overrides.birthYear ?? 1990;
  const [u] = await db
    .insert(users)
    .values({
      fullName: `Người dự thi ${next()}`,
      phone: makePhone(),
      passwordHash: await hashed(),
      role,
      nationalId: role === 'resident' ? makeNationalId(birthYear, next()) : null,
      birthYear: role === 'resident' ? birthYear : null,
      ...overrides,
    })
    .returning();
  return u;
}

export const makeResident = (db: Db, o: Partial<typeof users.$inferInsert> = {}) => makeUser(db, { ...o, role: 'resident' });
export const makeStaff = (db: Db, role: 'organizer' | 'judge' | 'admin', o: Partial<typeof users.$inferInsert> = {}) => makeUser(db, { ...o, role });

const defaultMembers = new WeakMap<Db, Pick<User, 'id' | 'role'>[]>();

/**
 * Staff who become members of every contest `makeContest` makes on this database from
 * now on (each in its account's role): a test file's organizer and judge act on its
 * contests, as in production where they are members of theirs.
 */
export function membersOfEveryContest(db: Db, ...staff: Pick<User, 'id' | 'role'>[]) {
  defaultMembers.set(db, [...(defaultMembers.get(db) ?? []), ...staff]);
}

export async function makeContest(db: Db, overrides: Partial<typeof contests.$inferInsert> = {}): Promise<Contest> {
  const n = next();
  const [c] = await db
    .insert(contests)
    .values({ slug: `cuoc-thi-${n}`, title: `Cuộc thi ${n}`, ...overrides })
    .returning();
  for (const u of defaultMembers.get(db) ?? []) if (u.role === 'organizer' || u.role === 'judge') await addMember(db, c.id, u);
  return c;
}

export async function makeQuestions(db: Db, contestId: string, count: number, optionCount: 3 | 4 = 4): Promise<Question[]> {
  if (count === 0) return [];
  return db
    .insert(questions)
    .values(
      Array.from({ length: count }, (_, i) => {
        const correctAt = i % optionCount;
        return {
          contestId,
          text: `Câu hỏi số ${next()}: chuyển đổi số là gì?`,
          options: Array.from({ length: optionCount }, (_, k) => ({ id: crypto.randomUUID(), text: `Phương án ${'ABCD'[k]}`, correct: k === correctAt })),
          topic: i % 2 ? 'Chính quyền số' : 'Kinh tế số',
          explanation: 'Giải thích.',
        };
      }),
    )
    .returning();
}

const HOUR = 3_600_000;

/** A round's prizes, tier by tier: [name, how many]. */
export const prizeTiers = (...tiers: [name: string, count: number][]) => tiers.map(([name, count]) => ({ name, count }));

/** A round (open now unless told otherwise) with `poolSize` fresh questions in its pool. */
export async function makeRound(
  db: Db,
  contestId: string,
  overrides: Partial<typeof rounds.$inferInsert> = {},
  poolSize?: number,
): Promise<{ round: Round; pool: Question[] }> {
  const now = Date.now();
  const [round] = await db
    .insert(rounds)
    .values({
      contestId,
      number: overrides.number ?? (next() % 1000) + 1,
      opensAt: new Date(now - HOUR),
      closesAt: new Date(now + 7 * 24 * HOUR),
      questionCount: 5,
      timeLimitSeconds: 600,
      maxAttempts: 1,
      predictionPrompt: 'Bao nhiêu người trả lời đúng tất cả?',
      prizes: prizeTiers(['Giải Nhất', 1], ['Giải Nhì', 2]),
      ...overrides,
    })
    .returning();
  const pool = await makeQuestions(db, contestId, poolSize ?? round.questionCount);
  if (pool.length) {
    await db.insert(roundQuestions).values(pool.map((q, position) => ({ roundId: round.id, questionId: q.id, position })));
    // The pool moved the round's draw_version (migration 0024): the round as it is now.
    const [now] = await db.select({ drawVersion: rounds.drawVersion }).from(rounds).where(eq(rounds.id, round.id));
    round.drawVersion = now.drawVersion;
  }
  return { round, pool };
}

export function tokenFor(app: FastifyInstance, user: Pick<User, 'id' | 'role'> & Partial<Pick<User, 'tokenVersion' | 'passwordChangeRequired'>>): string {
  return app.signToken({ id: user.id, role: user.role, tokenVersion: user.tokenVersion ?? 0, passwordChangeRequired: user.passwordChangeRequired });
}

/** Makes `user` a member of the contest, in the role of its account (organizer or judge). */
export async function addMember(db: Db, contestId: string, user: Pick<User, 'id' | 'role'>, role?: 'organizer' | 'judge'): Promise<void> {
  const r = role ?? (user.role === 'judge' ? 'judge' : 'organizer');
  await db
    .insert(contestMembers)
    .values({ contestId, userId: user.id, role: r })
    .onConflictDoUpdate({ target: [contestMembers.contestId, contestMembers.userId], set: { role: r } });
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A staff account that is a member of every contest `makeContest` makes on this database from now on. */
export async function makeMemberStaff(db: Db, role: 'organizer' | 'judge', o: Partial<typeof users.$inferInsert> = {}): Promise<User> {
  const u = await makeStaff(db, role, o);
  membersOfEveryContest(db, u);
  return u;
}
