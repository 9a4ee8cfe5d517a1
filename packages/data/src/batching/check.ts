/** Argument checks shared by the batching functions (typed errors naming the argument). */
import { describeValue, InputError } from '@strand/base';

/** Throws unless `ids` is an Int32Array (the batching functions read token ids as int32). */
export function int32Ids(ids: unknown, what: string): Int32Array {
  if (!(ids instanceof Int32Array)) {
    throw new InputError({
      what,
      expected: 'an Int32Array of token ids',
      received: describeValue(ids),
      hint: 'encode with Vocabulary.encode, or wrap with Int32Array.from(ids)',
    });
  }
  return ids;
}

/** Throws unless `value` is an integer in [0, 2^31): a token id or a length. */
export function checkId(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0x7fffffff) {
    throw new InputError({ what, expected: 'an integer in [0, 2^31)', received: describeValue(value) });
  }
  return value;
}
