/** Connection errors become a 503 "database unavailable: …" on the Chronos routes, not a 500. */
import { describe, expect, it } from 'vitest';
import { databaseUnavailableReason, errorResponse } from '../../scheduler/api/http';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('database outages are 503', () => {
  it.each([
    { name: 'refused', e: withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'), down: true },
    { name: 'pg terminated', e: new Error('Connection terminated unexpectedly'), down: true },
    { name: 'admin shutdown', e: withCode('terminating connection due to administrator command', '57P01'), down: true },
    { name: 'prisma P1001', e: withCode("Can't reach database server at 127.0.0.1:5432", 'P1001'), down: true },
    { name: 'pool timeout in a cause', e: new Error('query failed', { cause: new Error('Timed out fetching a new connection from the connection pool') }), down: true },
    { name: 'driver adapter kind', e: Object.assign(new Error('x'), { cause: { kind: 'DatabaseNotReachable' } }), down: true },
    { name: 'a bug', e: new TypeError('x is not a function'), down: false },
    { name: 'unique violation', e: withCode('duplicate key value violates unique constraint', '23505'), down: false },
  ])('$name → down: $down', async ({ e, down }) => {
    expect(databaseUnavailableReason(e) !== null).toBe(down);
    const res = errorResponse(e);
    if (down) {
      expect(res.status).toBe(503);
      const body = (await res.json()) as { message: string; status: string };
      expect(body.status).toBe('Service Unavailable');
      expect(body.message).toMatch(/^database unavailable: /);
    } else {
      expect(res.status).toBe(500);
    }
  });
});
