// An ordinary week: residents trickle in through the day, start, think for a few minutes
// and submit; a few come back to look at their attempts. k6 run loadtests/k6/steady-week.ts
import { check, sleep } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import type { Options } from 'k6/options';
import { BASE, headers, start, submit, tokens, type Attempt } from './common.ts';

export const options: Options = {
  scenarios: {
    week: {
      executor: 'ramping-arrival-rate',
      startRate: 2,
      timeUnit: '1s',
      preAllocatedVUs: 200,
      maxVUs: 2000,
      stages: [
        { target: 20, duration: __ENV.RAMP ?? '2m' },
        { target: 20, duration: __ENV.HOLD ?? '10m' },
        { target: 2, duration: __ENV.RAMP ?? '2m' },
      ],
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.001'],
    'http_req_duration{name:start}': ['p(95)<200', 'p(99)<400'],
    'http_req_duration{name:submit}': ['p(95)<150', 'p(99)<300'],
  },
};

export default function () {
  const token = tokens[exec.scenario.iterationInTest % tokens.length];
  const res = start(token);
  check(res, { 'started or resumed': (r) => r.status === 201 || r.status === 200 });
  if (res.status !== 201 && res.status !== 200) return;
  sleep(Number(__ENV.THINK ?? 30) * (0.5 + Math.random()));
  check(submit(token, res.json() as unknown as Attempt), { submitted: (r) => r.status === 200 });
  if (Math.random() < 0.3) http.get(`${BASE}/me/attempts`, { ...headers(token), tags: { name: 'me_attempts' } });
}
