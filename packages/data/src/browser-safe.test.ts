import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, test } from 'vitest';

// The root entry must load in a browser: nothing it reaches may import a Node built-in or the Node entry.
test('src/index.ts reaches no node: imports and no ./node modules', () => {
  const src = import.meta.dirname;
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    expect(text, file).not.toMatch(/from '(node:|fs|path|os)/);
    for (const m of text.matchAll(/from '(\.[^']+)\.js'/g)) {
      const target = join(file, '..', `${m[1]}.ts`);
      expect(relative(src, target), `${file} imports ${m[1]}`).not.toMatch(/^node(\/|\.ts$)/);
      visit(target);
    }
  };
  visit(join(src, 'index.ts'));
  expect(seen.size).toBeGreaterThan(10);
  expect(readdirSync(join(src, 'node')).length).toBeGreaterThan(0);
});
