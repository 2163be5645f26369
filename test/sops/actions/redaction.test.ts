import { describe, expect, it } from 'vitest';
import { createRedactor, referencedSecrets } from '../../../src/sops/actions/redaction.js';

describe('createRedactor', () => {
  it('masks every occurrence of each secret, longest first, and leaves short values alone', () => {
    const redact = createRedactor(['tok-123456', 'tok-123456-extended', 'on', '']);
    expect(redact('a tok-123456-extended b tok-123456 c on')).toBe('a *** b *** c on');
  });

  it('masks a secret echoed back escaped in JSON or percent-encoded in a URL', () => {
    const redact = createRedactor(['p@ss "word"/1']);
    expect(redact(JSON.stringify({ echoed: 'p@ss "word"/1' }))).toBe('{"echoed":"***"}');
    expect(redact(`/cb?token=${encodeURIComponent('p@ss "word"/1')}`)).toBe('/cb?token=***');
  });

  it('is the identity without secrets', () => {
    expect(createRedactor([])('nothing to hide')).toBe('nothing to hide');
  });
});

describe('referencedSecrets', () => {
  it('gives the values of the variables the SOP text references, with or without a default, once each', () => {
    const text = 'authorization: "Bearer ${env:ADMIN_TOKEN:-}"\nurl: redis://:${env:REDIS_PASSWORD}@h/0\nagain: ${env:ADMIN_TOKEN}\nunset: ${env:MISSING:-fallback}\nempty: ${env:EMPTY}';
    const env = { ADMIN_TOKEN: 'a1b2c3d4', REDIS_PASSWORD: 'r3d1s-pw', EMPTY: '', UNRELATED: 'not-referenced' };
    expect(referencedSecrets(text, env)).toEqual(['a1b2c3d4', 'r3d1s-pw']);
  });
});
