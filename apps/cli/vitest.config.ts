import { strandVitestConfig } from '@strand/vitest-config';

export default strandVitestConfig(import.meta.dirname);
