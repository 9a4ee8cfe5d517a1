import { strandVitestConfig } from '@strand/vitest-config';

export default strandVitestConfig(import.meta.dirname, {
  include: ['test/**/*.test.ts'],
  testTimeout: 180_000,
});
