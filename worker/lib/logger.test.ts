import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, setLogSink } from './logger';

describe('logger', () => {
  afterEach(() => setLogSink(null));

  it('writes one JSON line with level, message, base fields and a threshold', () => {
    const lines: string[] = [];
    setLogSink((line) => lines.push(line));
    const log = createLogger('info', { request_id: 'r1' });
    log.debug('hidden');
    log.info('shown', { n: 1 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', msg: 'shown', request_id: 'r1', n: 1 });
  });

  it('never writes the bound parameters a query error quotes', () => {
    const lines: string[] = [];
    setLogSink((line) => lines.push(line));
    const cause = new Error('duplicate key value violates unique constraint');
    const err = new Error('Failed query: update users set password_hash = $1 where id = $2\nparams: pbkdf2-sha256$100000$c2FsdA==$aGFzaA==,42', { cause });
    createLogger('info').error('write failed', { err });
    const text = lines.join('\n');
    expect(text).not.toContain('pbkdf2-sha256$100000');
    expect(text).toContain('Failed query: update users set password_hash = $1');
    expect(text).toContain('params: [redacted]');
    expect(text).toContain('duplicate key value');
  });
});
