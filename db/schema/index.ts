// The database schema, one file per area; drizzle-kit reads it through this index.
export * from './columns';
export * from './contests';
export * from './people';
export * from './rounds';
export * from './attempts';
export * from './results';
import type { attempts, submissions } from './attempts';
import type { contests } from './contests';
import type { contestMembers, users } from './people';
import type { questionReviews, questions, rounds } from './rounds';

export type User = typeof users.$inferSelect;
export type ContestMember = typeof contestMembers.$inferSelect;
export type Contest = typeof contests.$inferSelect;
export type Round = typeof rounds.$inferSelect;
export type Question = typeof questions.$inferSelect;
export type QuestionReview = typeof questionReviews.$inferSelect;
export type Attempt = typeof attempts.$inferSelect;
export type Submission = typeof submissions.$inferSelect;
