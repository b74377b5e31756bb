// A province's offices all start at the same minute: 10,000 residents start within 10 s,
// each then submits after a short think. k6 run loadtests/k6/start-burst.ts
import { check, sleep } from 'k6';
import exec from 'k6/execution';
import type { Options } from 'k6/options';
import { start, submit, tokens, type Attempt } from './common.ts';

const RESIDENTS = Number(__ENV.RESIDENTS ?? 10_000);
const SECONDS = Number(__ENV.SECONDS ?? 10);

export const options: Options = {
  scenarios: {
    burst: {
      executor: 'constant-arrival-rate',
      rate: Math.ceil(RESIDENTS / SECONDS),
      timeUnit: '1s',
      duration: `${SECONDS}s`,
      preAllocatedVUs: 500,
      maxVUs: 3000,
    },
  },
  thresholds: {
    'http_req_failed{name:start}': ['rate==0'],
    'http_req_duration{name:start}': ['p(99)<1000'],
    'http_req_failed{name:submit}': ['rate==0'],
    'http_req_duration{name:submit}': ['p(99)<500'],
    dropped_iterations: ['count==0'],
  },
};

export default function () {
  const token = tokens[exec.scenario.iterationInTest % tokens.length];
  const res = start(token);
  check(res, { 'started or resumed': (r) => r.status === 201 || r.status === 200 });
  if (res.status !== 201 && res.status !== 200) return;
  sleep(1 + Math.random() * 2);
  const sub = submit(token, res.json() as unknown as Attempt);
  check(sub, { submitted: (r) => r.status === 200 });
}
