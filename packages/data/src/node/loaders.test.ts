import { dataDir, hasData } from '@strand/test-utils';
import { describe, expect, test } from 'vitest';
import {
  loadEngFra,
  loadJsbChorales,
  loadNames,
  loadSentiment,
  loadTinyShakespeare,
  loadUdEnglishEwt,
} from './loaders.js';

// The shared data sets through the Node loaders, with the counts of shared/data/README.md.
const options = { dataDir: dataDir(), download: false } as const;

describe.skipIf(!hasData('tinyshakespeare'))('loaders on shared/data', () => {
  test('tiny Shakespeare: 1,115,394 characters, 65 distinct', async () => {
    const text = await loadTinyShakespeare(options);
    expect(text.length).toBe(1_115_394);
    expect(new Set(text).size).toBe(65);
  });

  test.skipIf(!hasData('names'))('names: 19,950 names, 20 languages', async () => {
    const { items, labels } = await loadNames(options);
    expect([items.length, labels.length]).toEqual([19_950, 20]);
  });

  test.skipIf(!hasData('eng-fra'))('eng-fra: 5,000 pairs', async () => {
    expect(await loadEngFra(options)).toHaveLength(5000);
  });

  test.skipIf(!hasData('sentiment'))('sentiment: 3,000 sentences, balanced', async () => {
    const examples = await loadSentiment(options);
    expect(examples).toHaveLength(3000);
    expect(examples.filter((e) => e.label === 1)).toHaveLength(1500);
  });

  test.skipIf(!hasData('ud-english-ewt'))('UD English-EWT: 12,544 / 2,001 / 2,077 sentences', async () => {
    const ud = await loadUdEnglishEwt(options);
    expect(ud.splits).toEqual(['train', 'dev', 'test']);
    expect([ud.train?.length, ud.dev?.length, ud.test?.length]).toEqual([12_544, 2_001, 2_077]);
    expect(ud.dev?.[0]?.[0]).toEqual({ form: 'From', upos: 'ADP' });
  });

  test.skipIf(!hasData('jsb-chorales'))('JSB chorales: 229 / 76 / 77', async () => {
    const { train, valid, test } = await loadJsbChorales(options);
    expect([train.length, valid.length, test.length]).toEqual([229, 76, 77]);
  });
});
