import { FormatError } from '@strand/base';
import { expectClose, fuzzReader, useTestBackend } from '@strand/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { parseStateDictJson, stateDictToJson } from './pytorch.js';

beforeAll(async () => {
  await useTestBackend('cpu');
});

const valid = JSON.stringify({
  in_proj_weight: { shape: [3, 2], data: [1, 2, 3, 4, 5, -6.5] },
  'out_proj.bias': { shape: [2], data: [0.25, 1e-3] },
});

describe('state_dict JSON reader', () => {
  test('round trip: parse(serialize(x)) == x', () => {
    const sd = parseStateDictJson(valid);
    expect(Object.keys(sd)).toEqual(['in_proj_weight', 'out_proj.bias']);
    expectClose(sd['in_proj_weight']!, [1, 2, 3, 4, 5, -6.5], 0);
    const again = parseStateDictJson(JSON.stringify(stateDictToJson(sd)));
    for (const k of Object.keys(sd)) {
      expect(again[k]!.shape).toEqual(sd[k]!.shape);
      expectClose(again[k]!, sd[k]!, 0);
    }
    tf.dispose([...Object.values(sd), ...Object.values(again)]);
  });

  test('bad entries are FormatErrors naming the key and file', () => {
    const bad = JSON.stringify({ w: { shape: [2, 2], data: [1, 2, 3] } });
    expect(() => parseStateDictJson(bad, { source: 'mha.json' })).toThrow(FormatError);
    expect(() => parseStateDictJson(bad, { source: 'mha.json' })).toThrow(
      /mha\.json at w\.data: expected 4 numbers \(shape \[2, 2\]\)/,
    );
    expect(() => parseStateDictJson('{"w": {"shape": [1], "data": ["x"]}}')).toThrow(
      /w\.data\[0\]: expected a finite number/,
    );
    expect(() => parseStateDictJson('{"w": {"shape": [1], "data": [1]')).toThrow(FormatError);
  });

  test('fuzz: 500 seeded mutations give a state_dict or a StrandError, never a raw error or a hang', async () => {
    const before = tf.memory().numTensors;
    const report = await fuzzReader({
      input: valid,
      read: (bytes) => {
        const sd = parseStateDictJson(bytes);
        const n = Object.keys(sd).length;
        tf.dispose(Object.values(sd));
        return n;
      },
      count: 500,
      seed: 11,
    });
    expect(report.accepted + report.rejected).toBe(500);
    expect(report.rejected).toBeGreaterThan(100);
    expect(tf.memory().numTensors).toBe(before);
  });
});
