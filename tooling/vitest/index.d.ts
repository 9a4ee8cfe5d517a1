import type { UserConfig } from 'vitest/config';
import type { InlineConfig } from 'vitest/node';

/** Shared vitest settings for a package rooted at `packageDir`; `overrides` extend `test`. */
export function strandVitestConfig(packageDir: string, overrides?: InlineConfig): UserConfig;
