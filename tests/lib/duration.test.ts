import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../server/src/lib/duration';
import { formatDuration as webDuration } from '../../web/src/lib/i18n/translate';

describe('durations', () => {
  it('reads as a stopwatch, to the nearest tenth, with the Vietnamese decimal comma', () => {
    expect(formatDuration(171_949)).toBe('2:51,9');
    expect(formatDuration(1_549)).toBe('0:01,5');
    expect(formatDuration(1_550)).toBe('0:01,6');
    expect(formatDuration(59_960)).toBe('1:00,0');
    expect(formatDuration(0)).toBe('0:00,0');
    expect(formatDuration(3_723_400)).toBe('62:03,4');
    expect(formatDuration(-5)).toBe('0:00,0');
    expect(formatDuration(171_949, '.')).toBe('2:51.9');
  });

  it('keeps the milliseconds where the time breaks a tie (the signed list): 4,866 and 4,890 ms differ', () => {
    expect(formatDuration(4_866, ',', 3)).toBe('0:04,866');
    expect(formatDuration(4_890, ',', 3)).toBe('0:04,890');
    expect(formatDuration(171_949, ',', 3)).toBe('2:51,949');
    expect(formatDuration(60_000, ',', 3)).toBe('1:00,000');
    expect(formatDuration(3_723_407, '.', 3)).toBe('62:03.407');
  });

  it('is the same rule on the web pages as in the signed PDF', () => {
    for (const ms of [0, 1_549, 1_550, 59_960, 171_949, 3_723_400]) {
      expect(webDuration(ms, 'vi')).toBe(formatDuration(ms));
      expect(webDuration(ms, 'en')).toBe(formatDuration(ms, '.'));
    }
  });
});
