// The last minute of a round: submissions arrive at a constant rate whatever the latency
// (constant-arrival-rate, so a slow server cannot slow the storm down). Each iteration
// starts an attempt (not measured by the submit thresholds) and submits it at once.
// k6 run -e RATE=2000 loadtests/k6/submit-storm.ts
import { check } from 'k6';
import exec from 'k6/execution';
import type { Options } from 'k6/options';
import { start, submit, tokens, type Attempt } from './common.ts';

export const options: Options = {
  scenarios: {
    storm: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV.RATE ?? 1000),
      timeUnit: '1s',
      duration: __ENV.DURATION ?? '60s',
      preAllocatedVUs: 500,
      maxVUs: 5000,
    },
  },
  thresholds: {
    'http_req_failed{name:submit}': ['rate==0'],
    'http_req_duration{name:submit}': ['p(50)<20', 'p(99)<50'],
    'checks{check:submitted}': ['rate==1'],
    dropped_iterations: ['count==0'],
  },
};

export default function () {
  const token = tokens[exec.scenario.iterationInTest % tokens.length];
  const res = start(token);
  if (res.status !== 201 && res.status !== 200) return;
  check(submit(token, res.json() as unknown as Attempt), { submitted: (r) => r.status === 200 });
}
