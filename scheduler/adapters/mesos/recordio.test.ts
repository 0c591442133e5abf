import { describe, expect, it } from 'vitest';
import { mesosTypes, serialize, deserialize, type Encoding, type Json } from '../../../proto';
import { RecordIODecoder, RecordIOError, encodeRecord } from './recordio';
import { prng, randInt } from '../../testing/prng';

/** Splits a buffer at random points (including 1-byte and empty chunks). */
function chunk(buf: Buffer, rand: () => number, maxChunk: number): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  while (i < buf.length) {
    const n = randInt(rand, 0, maxChunk);
    out.push(buf.subarray(i, i + n));
    i += n;
  }
  return out;
}

function sampleEvent(rand: () => number, i: number): Json {
  const kind = randInt(rand, 0, 2);
  if (kind === 0) return { type: 'HEARTBEAT' };
  if (kind === 1) {
    return {
      type: 'UPDATE',
      update: {
        status: {
          task_id: { value: `ct:${i}:0:ジョブ-${'é'.repeat(randInt(rand, 0, 40))}` },
          state: 'TASK_RUNNING',
          message: '😀 multi-byte ✓ '.repeat(randInt(rand, 0, 5)),
          uuid: Buffer.from([i & 255, 1, 2, 3]).toString('base64'),
        },
      },
    };
  }
  return {
    type: 'OFFERS',
    offers: {
      offers: [
        {
          id: { value: `O${i}` },
          framework_id: { value: 'F' },
          agent_id: { value: 'A' },
          hostname: 'hôte',
          resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1.5 } }],
        },
      ],
    },
  };
}

describe('RecordIODecoder', () => {
  const { Event } = mesosTypes();

  for (const encoding of ['json', 'protobuf'] as Encoding[]) {
    it(`decodes many records under random chunking (${encoding})`, () => {
      for (let seed = 1; seed <= 40; seed++) {
        const rand = prng(seed * 7919);
        const events = Array.from({ length: randInt(rand, 1, 60) }, (_, i) => sampleEvent(rand, i));
        const stream = Buffer.concat(events.map((e) => encodeRecord(serialize(Event, e, encoding))));
        const decoder = new RecordIODecoder();
        const got: Json[] = [];
        for (const c of chunk(stream, rand, randInt(rand, 1, 300))) {
          for (const rec of decoder.push(c)) got.push(deserialize(Event, rec, encoding));
        }
        expect(decoder.idle, `seed ${seed}`).toBe(true);
        expect(got, `seed ${seed}`).toEqual(events.map((e) => deserialize(Event, serialize(Event, e, encoding), encoding)));
      }
    });
  }

  it('handles a length prefix cut in two and several records in one chunk', () => {
    const d = new RecordIODecoder();
    expect(d.push(Buffer.from('1'))).toEqual([]);
    expect(d.push(Buffer.from('2\nhello'))).toEqual([]);
    const recs = d.push(Buffer.from(' world!3\nabc1\nx'));
    expect(recs.map(String)).toEqual(['hello world!', 'abc', 'x']);
    expect(d.idle).toBe(true);
  });

  it('counts multi-byte UTF-8 bodies in bytes', () => {
    const body = '€uro ☃ 😀';
    const framed = encodeRecord(body);
    expect(framed.toString('utf8').startsWith(`${Buffer.byteLength(body)}\n`)).toBe(true);
    const d = new RecordIODecoder();
    const out: Buffer[] = [];
    for (const b of framed) out.push(...d.push(Buffer.from([b]))); // one byte at a time
    expect(out.map((b) => b.toString('utf8'))).toEqual([body]);
  });

  const bad: Array<[string, string]> = [
    ['zero length', '0\n'],
    ['non-numeric length', 'abc\n'],
    ['empty length', '\nxyz'],
    ['negative length', '-5\nhello'],
    ['absurd length', '99999999999\n'],
    ['too many digits', '123456789012345678901234\n'],
    ['html instead of records', '<html>'],
  ];
  for (const [name, input] of bad) {
    it(`rejects ${name} with a RecordIOError and stays failed until reset`, () => {
      const d = new RecordIODecoder({ maxRecordBytes: 1 << 20 });
      expect(() => d.push(Buffer.from(input))).toThrow(RecordIOError);
      expect(() => d.push(Buffer.from('1\nx'))).toThrow(RecordIOError);
      d.reset();
      expect(d.push(Buffer.from('1\nx')).map(String)).toEqual(['x']);
    });
  }

  it('reports a truncated record as not idle', () => {
    const d = new RecordIODecoder();
    d.push(Buffer.from('10\nabc'));
    expect(d.idle).toBe(false);
    expect(d.bufferedBytes).toBe(3);
  });
});
