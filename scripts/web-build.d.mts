import type { StdioOptions } from 'node:child_process';
export declare function webBuildIsStale(repoRoot: string): boolean;
export declare function buildWeb(repoRoot: string, stdio?: StdioOptions): void;
