import { z } from 'zod';
import { LINT_RULES } from '../../lib/question-lint';
import { SHEET_WARNING_RULES } from '../../lib/spreadsheet';
import { RowErrorSchema } from '../../lib/upload';
import { IdParam, linesText, longText, queryFlag, text } from '../../lib/zod';

export const QuestionParams = z.object({ questionId: IdParam });

// Postgres text cannot hold NUL (it would be a 500), and no control character belongs in a question.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
// Checked on the raw input: the shared text() transform would otherwise quietly drop them.
const plain = <T extends z.ZodType<unknown, string>>(schema: T) =>
  z
    .string()
    .refine((v) => !CONTROL.test(v), 'must not contain control characters')
    .pipe(schema);

export const QuestionBody = z.object({
  text: plain(linesText(1, 2000)),
  // No count bound here (the body limit bounds it): any count but 3 or 4 is INVALID_QUESTION (questions.service.ts).
  options: z.array(z.object({ text: plain(text(1, 500)), correct: z.boolean() })),
  topic: plain(text(0, 100)).nullish(),
  explanation: plain(longText(5000)).nullish(),
});
export const QuestionPatchBody = QuestionBody.partial();

export const AdminQuestion = z.object({
  id: z.string(),
  contestId: z.string(),
  text: z.string(),
  options: z.array(z.object({ id: z.string(), text: z.string(), correct: z.boolean() })),
  topic: z.string().optional(),
  explanation: z.string().optional(),
  updatedAt: z.string(),
  /** In lists and pools: the answer is already public (the question is in a sealed round's pool). */
  published: z.boolean().optional(),
  /** Extension, in the bank's list: in the pool of a round that has attempts, so editing or deleting it is 409 ROUND_LOCKED. */
  locked: z.boolean().optional(),
});
export type AdminQuestion = z.infer<typeof AdminQuestion>;

export const LintWarningSchema = z.object({
  rule: z.enum(LINT_RULES),
  message: z.string().describe('Vietnamese'),
  messageEn: z.string(),
  relatedQuestionId: z.string().optional().describe('the other question of a near duplicate or of an answer given away'),
});
export const BankLintResponse = z.array(LintWarningSchema.extend({ questionId: z.string() }));
/** A created or updated question with what the lint says about it against the contest's bank; warnings never block. */
export const SavedQuestion = AdminQuestion.extend({ warnings: z.array(LintWarningSchema) });

export const QuestionListQuery = z.object({
  topic: z.string().max(100).optional(),
  q: z.string().max(200).optional(),
});

export const PoolBody = z.object({
  questionIds: z.array(IdParam).max(5000),
  /** Required to put a question whose answer is already public (in a sealed round's key) in this pool: 409 QUESTION_PUBLISHED otherwise. */
  allowPublished: z.boolean().optional(),
});
export const PoolResponse = z.object({
  roundId: z.string(),
  questionCount: z.number(),
  size: z.number(),
  locked: z.boolean().optional().describe('extension: the round has attempts, so its pool can no longer change (PUT is 409 ROUND_LOCKED)'),
  questions: z.array(AdminQuestion),
});

export const ImportQuery = z.object({
  dryRun: queryFlag,
  /** Duplicates (within the file or against the bank) are left out and listed in `skipped` instead of failing the file. */
  skipDuplicates: queryFlag,
  /** Chosen by the client before uploading, so it can poll GET /admin/imports/:jobId while the upload runs. */
  jobId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,64}$/)
    .optional(),
});

export const RowWarningSchema = z.object({
  row: z.number(),
  rule: z
    .enum([...LINT_RULES, ...SHEET_WARNING_RULES])
    .describe('a lint rule; cell_value: a cell not read as Excel shows it; hidden_row: a row left out because Excel hides it'),
  column: z.string().optional().describe("the cell's column letter, for the reader's warnings"),
  message: z.string().describe('Vietnamese'),
  messageEn: z.string(),
  relatedQuestionId: z.string().optional().describe('a question already in the bank'),
  relatedRow: z.number().optional().describe('another row of the file'),
});

export const ImportResponse = z.object({
  jobId: z.string(),
  dryRun: z.boolean(),
  format: z.enum(['xlsx', 'csv']),
  encoding: z.string().nullable(),
  total: z.number().describe('data rows read'),
  valid: z.number().describe('rows that passed every check (on a dry run: what an import would create)'),
  created: z.number().describe('questions written: 0 on a dry run or when any row fails'),
  errors: z.array(RowErrorSchema),
  skipped: z.array(RowErrorSchema),
  warnings: z
    .array(RowWarningSchema)
    .describe("the reader's warnings on cells, and lint warnings on the rows that passed, against the bank and the other rows; they never block"),
});

export const ImportJobParams = z.object({ jobId: z.string().min(1).max(64) });
export const ImportProgressResponse = z.object({
  jobId: z.string(),
  phase: z.enum(['reading', 'validating', 'writing', 'done', 'failed']),
  dryRun: z.boolean(),
  processed: z.number(),
  total: z.number(),
  created: z.number(),
  errorCount: z.number(),
  startedAt: z.string(),
  updatedAt: z.string(),
});
