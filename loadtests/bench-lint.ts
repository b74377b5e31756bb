// Whole-bank lint (GET /admin/contests/:contestId/questions/lint without the database):
// times lintBank() on a synthetic bank written in the demo bank's words.
//   npm run bench:lint [-- --questions 5000 --runs 5]
// The bank mixes the demo questions' syllables in their own sentence shapes (so common
// phrases such as "chuyển đổi số" are as frequent as in a real bank, which is what makes
// a naive near-duplicate search slow), with 2% templated near duplicates and some leaks.
import { parseArgs } from 'node:util';
import { demoQuestions } from '../db/seed-data/questions';
import { lintBank, type LintQuestion } from '../server/src/lib/question-lint';

const { values: args } = parseArgs({ options: { questions: { type: 'string', default: '5000' }, runs: { type: 'string', default: '5' } } });
const N = Number(args.questions);
const RUNS = Number(args.runs);

// A fixed seed (mulberry32), so every run lints the same bank.
let seed = 42;
function rand() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];

const vocabulary = demoQuestions.flatMap((q) => q.text.split(/\s+/));
const bank: LintQuestion[] = [];
for (let i = 0; i < N; i++) {
  const base = pick(demoQuestions);
  let text: string;
  if (i > 0 && rand() < 0.02) {
    // A templated near duplicate of an earlier question: one word changed.
    const words = pick(bank).text.split(' ');
    words[Math.floor(rand() * words.length)] = pick(vocabulary);
    text = words.join(' ');
  } else
    text = base.text
      .split(/\s+/)
      .map((w) => (rand() < 0.6 ? pick(vocabulary) : w))
      .join(' ');
  bank.push({
    id: String(i),
    text,
    options: base.options.map((o) => ({ text: rand() < 0.3 ? `${o.text} ${Math.floor(rand() * 1000)}` : o.text, correct: o.correct })),
  });
}

// Wall time moves with whatever else the machine runs; the CPU time of this process is steadier.
const times: number[] = [];
const cpu: number[] = [];
let warnings = 0;
for (let r = 0; r < RUNS; r++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  warnings = lintBank(bank).length;
  const c = process.cpuUsage(c0);
  times.push(performance.now() - t0);
  cpu.push((c.user + c.system) / 1000);
}
times.sort((a, b) => a - b);
cpu.sort((a, b) => a - b);
const byRule: Record<string, number> = {};
for (const w of lintBank(bank)) byRule[w.rule] = (byRule[w.rule] ?? 0) + 1;
console.log(
  `lintBank: ${N} questions, ${warnings} warnings, ${RUNS} runs: median ${times[Math.floor(RUNS / 2)].toFixed(0)} ms, min ${times[0].toFixed(0)} ms, max ${times[RUNS - 1].toFixed(0)} ms; CPU median ${cpu[Math.floor(RUNS / 2)].toFixed(0)} ms`,
);
console.log('warnings by rule:', byRule);
