import { hash } from '@node-rs/argon2';
import { eq, inArray } from 'drizzle-orm';
import type { Db } from './client';
import { contestMembers, contests, exclusions, localities, questions, roundQuestions, rounds, units, users } from './schema/index';
import { demoQuestions } from './seed-data/questions';
import { demoLocalities, demoUnits } from './seed-data/reference';

export const DEMO_SLUG = 'chuyen-doi-so-thanh-hoa';
export const DEMO_PASSWORD = 'demo12345';
export const DEMO_ACCOUNTS = [
  { role: 'resident' as const, phone: '0901000001', fullName: 'Nguyễn Văn An', nationalId: '038090000001', birthYear: 1990 },
  { role: 'organizer' as const, phone: '0901000002', fullName: 'Lê Thị Bình (Ban Tổ chức)', nationalId: null, birthYear: null },
  { role: 'judge' as const, phone: '0901000003', fullName: 'Trần Văn Cường (Ban Giám khảo)', nationalId: null, birthYear: null },
];

const RULES = `1. Đối tượng dự thi: cán bộ, công chức, viên chức, người lao động, đoàn viên, hội viên và mọi người dân đang sinh sống, học tập, làm việc trên địa bàn tỉnh Thanh Hóa.
2. Thành viên Ban Tổ chức, Ban Giám khảo, Tổ ra đề và Tổ Thư ký không được tham gia dự thi.
3. Cuộc thi tổ chức trực tuyến hằng tuần, gồm 04 tuần thi. Mỗi tuần, người dự thi trả lời 20 câu hỏi trắc nghiệm trong 20 phút; mỗi câu có 03 đến 04 phương án, trong đó chỉ có 01 phương án đúng.
4. Người dự thi trả lời thêm 01 câu hỏi phụ: dự đoán số người trả lời đúng tất cả các câu hỏi của tuần.
5. Xếp giải: điểm cao hơn xếp trên; bằng điểm thì ai dự đoán gần đúng hơn xếp trên; tiếp theo là thời gian làm bài ngắn hơn, rồi thời điểm nộp bài sớm hơn.
6. Mỗi tuần có 01 giải Nhất, 02 giải Nhì, 03 giải Ba và 05 giải Khuyến khích. Giải thưởng được trao tại lễ tổng kết.`;

const DESCRIPTION =
  'Cuộc thi trực tuyến hằng tuần tìm hiểu về chuyển đổi số tỉnh Thanh Hóa, hưởng ứng Ngày Chuyển đổi số quốc gia 10/10, nhằm nâng cao nhận thức của người dân về chính quyền số, kinh tế số và xã hội số.';

const PREDICTION_PROMPT = 'Dự đoán: tuần này có bao nhiêu người trả lời đúng tất cả các câu hỏi?';
const PRIZES = [
  { name: 'Giải Nhất', count: 1 },
  { name: 'Giải Nhì', count: 2 },
  { name: 'Giải Ba', count: 3 },
  { name: 'Giải Khuyến khích', count: 5 },
];
const DAY = 86_400_000;

/** Midnight in Vietnam (UTC+7) of the day `now` falls in. */
function vietnamMidnight(now: Date): Date {
  const shifted = new Date(now.getTime() + 7 * 3_600_000);
  return new Date(Date.UTC(shifted.getUTCFullYear(), shifted.getUTCMonth(), shifted.getUTCDate()) - 7 * 3_600_000);
}

export interface SeedResult {
  created: boolean;
  contestId: string;
}

/** The demo contest: 4 weekly rounds (round 1 open now), 100+ questions, three demo accounts. */
export async function seedDemo(db: Db, now = new Date()): Promise<SeedResult> {
  return db.transaction(async (tx) => {
    const existing = await tx.query.contests.findFirst({ where: eq(contests.slug, DEMO_SLUG) });
    if (existing) return { created: false, contestId: existing.id };

    const [contest] = await tx
      .insert(contests)
      .values({ slug: DEMO_SLUG, title: 'Cuộc thi trực tuyến tìm hiểu về chuyển đổi số tỉnh Thanh Hóa', description: DESCRIPTION, rules: RULES })
      .returning();
    await tx.insert(localities).values(demoLocalities.map((l) => ({ contestId: contest.id, name: l.name, headcount: l.headcount ?? null })));
    await tx.insert(units).values(demoUnits.map((u) => ({ contestId: contest.id, name: u.name, headcount: u.headcount ?? null })));

    const qs = await tx
      .insert(questions)
      .values(
        demoQuestions.map((q) => ({
          contestId: contest.id,
          text: q.text.normalize('NFC'),
          options: q.options.map((o) => ({ id: crypto.randomUUID(), text: o.text.normalize('NFC'), correct: o.correct })),
          topic: q.topic,
          explanation: q.explanation,
        })),
      )
      .returning({ id: questions.id });

    const start = vietnamMidnight(now);
    for (let week = 1; week <= 4; week++) {
      const [round] = await tx
        .insert(rounds)
        .values({
          contestId: contest.id,
          number: week,
          title: `Tuần thi thứ ${week}`,
          opensAt: new Date(start.getTime() + (week - 1) * 7 * DAY),
          closesAt: new Date(start.getTime() + week * 7 * DAY),
          questionCount: 20,
          timeLimitSeconds: 1200,
          maxAttempts: 2,
          revealScore: 'immediately',
          predictionPrompt: PREDICTION_PROMPT,
          predictionTarget: 'all_correct_people',
          prizes: PRIZES,
        })
        .returning();
      // Each week draws from its own quarter of the bank: a question shared with a later week
      // would keep its key back until that week is sealed, and the answer key of week 1 would be empty.
      const pool = qs.filter((_, i) => i % 4 === week - 1);
      await tx.insert(roundQuestions).values(pool.map((q, position) => ({ roundId: round.id, questionId: q.id, position })));
    }

    const passwordHash = await hash(DEMO_PASSWORD, { memoryCost: 19456, timeCost: 2, parallelism: 1 });
    const [firstLocality] = await tx.select().from(localities).where(eq(localities.contestId, contest.id)).limit(1);
    for (const a of DEMO_ACCOUNTS) {
      await tx
        .insert(users)
        .values({
          role: a.role,
          phone: a.phone,
          fullName: a.fullName,
          passwordHash,
          nationalId: a.nationalId,
          birthYear: a.birthYear,
          localityId: a.role === 'resident' ? (firstLocality?.id ?? null) : null,
        })
        .onConflictDoNothing();
    }
    await tx.insert(exclusions).values({ contestId: contest.id, phone: '0901000009', note: 'Ví dụ: thành viên Tổ ra đề' });
    // The demo organizer and judge act on the demo contest (API.md v1.1: staff act on their contests only).
    const staff = await tx
      .select({ id: users.id, role: users.role })
      .from(users)
      .where(
        inArray(
          users.phone,
          DEMO_ACCOUNTS.filter((a) => a.role !== 'resident').map((a) => a.phone),
        ),
      );
    const members = staff
      .filter((u) => u.role === 'organizer' || u.role === 'judge')
      .map((u) => ({ contestId: contest.id, userId: u.id, role: u.role as 'organizer' | 'judge' }));
    if (members.length) await tx.insert(contestMembers).values(members).onConflictDoNothing();
    return { created: true, contestId: contest.id };
  });
}
