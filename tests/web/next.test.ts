import { describe, expect, it } from 'vitest';
import { safeNext } from '../../web/src/lib/next';

describe('safeNext', () => {
  it('keeps a path of the app, with its query and hash', () => {
    expect(safeNext('/c/thi-thu/play/r1?x=1#q')).toBe('/c/thi-thu/play/r1?x=1#q');
    expect(safeNext('/me')).toBe('/me');
  });

  it('refuses anything that could leave the app or is not a path', () => {
    // "/\evil.example" and "/%09/evil.example" signed the user in and then failed on goto (a false error page).
    for (const raw of [null, '', 'me', 'https://evil.example/', '//evil.example', '/\\evil.example', '/\t/evil.example', '/\n/x', 'javascript:alert(1)'])
      expect([raw, safeNext(raw)]).toEqual([raw, null]);
  });
});
