import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { serverErrorCodes, sources } from '../helpers/error-codes';
import { nationalIdProblem as serverIdProblem, normalizePhone as serverNormalizePhone } from '../../server/src/lib/identity';
import { en } from '../../web/src/lib/i18n/en';
import {
  format,
  formatClock,
  formatCountdown,
  formatDateTime,
  formatMinutesSeconds,
  formatPercent,
  pickLocale,
  translate,
} from '../../web/src/lib/i18n/translate';
import { participationRate } from '../../server/src/lib/participation';
import { vi } from '../../web/src/lib/i18n/vi';
import { nationalIdProblem, normalizePhone, passwordProblem } from '../../web/src/lib/validation';
import { fromVnInput, toVnInput } from '../../web/src/lib/vntime';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n', () => {
  it('has an English text for every Vietnamese key and no extra ones', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(vi).sort());
  });

  it('says every error code the server answers with in words, not as the generic error with the code', () => {
    const codes = [...serverErrorCodes().keys()].sort();
    // The reader sees the codes it should: a few of every kind.
    expect(codes).toEqual(
      expect.arrayContaining([
        'ROUND_NUMBER_TAKEN',
        'NOT_FOUND',
        'UNAUTHORIZED',
        'TOKEN_EXPIRED',
        'BAD_REQUEST',
        'INVALID_JSON',
        'ROUTE_NOT_FOUND',
        'RATE_LIMITED',
      ]),
    );
    // A 500 (INTERNAL) reads as error.server, whatever its code.
    expect(codes.filter((c) => c !== 'INTERNAL' && !(`error.${c}` in vi))).toEqual([]);
  });

  it("names in words every action the server writes to the audit log (the admin's audit page)", () => {
    const text = sources('server/src')
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    // Actions are written as 'entity.verb' literals (in `action:` or handed to a helper).
    const actions = new Set([...text.matchAll(/'((?:contest|round|question|user|exclusions|override)\.[a-z_]+)'/g)].map((m) => m[1]));
    // Actions built from a name: the two reference lists.
    for (const kind of ['localities', 'units']) actions.add(`${kind}.import`);
    expect(actions.size).toBeGreaterThan(20);
    expect([...actions].filter((a) => !(`audit.a.${a}` in vi)).sort()).toEqual([]);
  });

  it('uses the same placeholders in both languages', () => {
    for (const key of Object.keys(vi) as (keyof typeof vi)[]) expect(placeholders(en[key]), key).toEqual(placeholders(vi[key]));
  });

  it('starts in Vietnamese and remembers only a known choice', () => {
    expect(pickLocale(null)).toBe('vi');
    expect(pickLocale('en')).toBe('en');
    expect(pickLocale('fr')).toBe('vi');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(format('Câu {n}/{total}', { n: 3, total: 20 })).toBe('Câu 3/20');
    expect(format('Còn {n} phút {x}', { n: 5 })).toBe('Còn 5 phút {x}');
    expect(translate({ vi, en }, 'en', 'play.questionOf', { n: 1, total: 2 })).toBe('Question 1/2');
    expect(translate({ vi, en }, 'vi', 'play.questionOf', { n: 1, total: 2 })).toBe('Câu 1/2');
  });

  it('writes participation rates so that a first few of a large headcount still show', () => {
    expect(formatPercent(0.5, 'vi')).toBe('50%');
    expect(formatPercent(0.0123, 'vi')).toBe('1,23%');
    expect(formatPercent(participationRate(3, 95_000)!, 'vi')).toBe('0,0032%');
    expect(formatPercent(participationRate(3, 95_000)!, 'en')).toBe('0.0032%');
    expect(formatPercent(0, 'vi')).toBe('0%');
    expect(participationRate(3, null)).toBeNull();
    expect(participationRate(3, 0)).toBeNull();
    expect(participationRate(1, 3)).toBe(0.333333);
  });

  it('formats clocks and countdowns', () => {
    expect(formatClock(75_400)).toBe('1:16');
    expect(formatClock(3_723_000)).toBe('1:02:03');
    expect(formatClock(-5)).toBe('0:00');
    expect(formatCountdown(2 * 86_400_000 + 3_723_000, 'vi')).toBe('2 ngày 01:02:03');
    expect(formatCountdown(86_400_000, 'en')).toBe('1 day 00:00:00');
  });

  it('says a time limit in minutes and seconds, not rounded to minutes', () => {
    expect(formatMinutesSeconds(150, 'vi')).toBe('2 phút 30 giây');
    expect(formatMinutesSeconds(600, 'vi')).toBe('10 phút');
    expect(formatMinutesSeconds(45, 'vi')).toBe('45 giây');
    expect(formatMinutesSeconds(150, 'en')).toBe('2 minutes 30 seconds');
    expect(formatMinutesSeconds(61, 'en')).toBe('1 minute 1 second');
    expect(formatMinutesSeconds(5400, 'en')).toBe('90 minutes');
  });

  it('shows times in Vietnam whatever the machine zone', () => {
    expect(formatDateTime('2026-11-22T17:30:00.000Z', 'vi')).toBe('00:30 23/11/2026');
    expect(formatDateTime('2026-12-08T17:00:00.000Z', 'vi')).toBe('00:00 09/12/2026');
    expect(formatDateTime('2026-12-08T17:00:00.000Z', 'en')).toBe('09/12/2026, 00:00');
  });

  it('reads and writes datetime-local values as Vietnam time', () => {
    expect(fromVnInput('2030-03-02T08:00')).toBe('2030-03-02T01:00:00.000Z');
    expect(toVnInput('2030-03-02T01:00:00.000Z')).toBe('2030-03-02T08:00');
    expect(fromVnInput('nonsense')).toBeNull();
  });
});

describe('registration rules in the browser', () => {
  it('normalize phones exactly as the server does', () => {
    const samples = ['0912345678', '+84 912 345 678', '84912345678', '0912.345.678', '012345678', '0212345678', '+84 (0) 912', '０９１２３４５６７８'];
    for (const s of samples) expect(normalizePhone(s), s).toBe(serverNormalizePhone(s));
    fc.assert(
      fc.property(fc.stringMatching(/^(\+84|84|0)?[0-9 .-]{6,13}$/), (s) => normalizePhone(s) === serverNormalizePhone(s)),
      { numRuns: 500 },
    );
  });

  it('agree with the server about citizen ids', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9]{12}$/),
        fc.integer({ min: 1900, max: 2025 }),
        (id, year) => (nationalIdProblem(id, year) === null) === (serverIdProblem(id, year) === null),
      ),
      { numRuns: 500 },
    );
    expect(nationalIdProblem('03809')).toBe('format');
    expect(nationalIdProblem('999090000001')).toBe('province');
    expect(nationalIdProblem('038090000001', 1991)).toBe('birthYear');
    expect(nationalIdProblem('038090000001', 1990)).toBeNull();
  });

  it('call short, one-character and phone-number passwords weak', () => {
    expect(passwordProblem('abc')).toBe('short');
    expect(passwordProblem('aaaaaaaa')).toBe('oneChar');
    expect(passwordProblem('0912345678', '+84912345678')).toBe('samePhone');
    expect(passwordProblem('mat-khau-manh', '0912345678')).toBeNull();
  });
});
