// Test-only helpers. `expectClose` from @strand/test-utils flattens with Array.prototype.flat,
// which typed arrays lack, so typed arrays are converted to plain arrays first.
import { expectClose } from '@strand/test-utils';

type Numbers = number | ArrayLike<number> | readonly (readonly number[])[];

function plain(x: Numbers): number | number[] | number[][] {
  if (typeof x === 'number') return x;
  if (ArrayBuffer.isView(x)) return Array.from(x as ArrayLike<number>);
  return (x as readonly unknown[]).map((v) =>
    ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v,
  ) as number[] | number[][];
}

/** |actual - expected| <= atol + rtol |expected|, element-wise, for numbers, arrays and typed arrays. */
export function close(actual: Numbers, expected: Numbers, atol = 1e-9, rtol = 0): void {
  expectClose(plain(actual), plain(expected), atol, rtol);
}
