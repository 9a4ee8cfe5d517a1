import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../src/main.js';
import { runCli } from './run-cli.js';

function leaves(program: Command): Command[] {
  return program.commands.flatMap((c) => (c.commands.length > 0 ? [c, ...leaves(c)] : [c]));
}

function fullName(c: Command): string[] {
  const names: string[] = [];
  for (let x: Command | null = c; x?.parent; x = x.parent) names.unshift(x.name());
  return names;
}

describe('strand: help and errors', () => {
  it('--help lists every subcommand', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of createProgram().commands) expect(r.stdout).toContain(c.name());
  });

  it("each subcommand's help lists exactly the options the code accepts", async () => {
    for (const command of leaves(createProgram())) {
      const r = await runCli([...fullName(command), '--help']);
      expect(r.code, r.stderr).toBe(0);
      const documented = new Set([...r.stdout.matchAll(/(?:^|\s)(--[a-z][a-z0-9-]*)/gm)].map((m) => m[1]));
      const accepted = new Set((command.options as readonly Option[]).map((o) => o.long!));
      accepted.add('--help');
      for (const o of accepted)
        expect(documented, `${fullName(command).join(' ')} help lacks ${o}`).toContain(o);
      for (const o of documented)
        expect(accepted, `${fullName(command).join(' ')} help documents unknown ${o}`).toContain(o);
    }
  }, 300_000);

  it.each([
    [['gradients', '--steps', 'abc'], /--steps.*expected an integer >= 1, received 'abc'/],
    [['gradients', '--backend', 'tpu'], /--backend.*tpu/],
    [['gradients', '--no-such-flag'], /unknown option '--no-such-flag'/],
    [['no-such-command'], /unknown command 'no-such-command'/],
    [
      ['gradients', '--networks', 'lstm,transformer'],
      /expected one of tanh-rnn, irnn, gru, lstm, received 'transformer'/,
    ],
  ])('bad arguments %j give one clear line and exit 2', async (args, pattern) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout).toBe('');
  });
});

describe('strand gradients', () => {
  it('runs end to end on a tiny budget with a sane --json result and an SVG', async () => {
    const out = mkdtempSync(join(tmpdir(), 'strand-gradients-'));
    const r = await runCli([
      'gradients',
      '--json',
      '--time',
      '24',
      '--units',
      '8',
      '--batch',
      '8',
      '--steps',
      '20',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.command).toBe('gradients');
    expect(result.networks.map((n: { network: string }) => n.network)).toEqual([
      'tanh-rnn',
      'irnn',
      'gru',
      'lstm',
    ]);
    for (const n of result.networks) {
      expect(n.init.norms).toHaveLength(24);
      expect(n.trained.norms).toHaveLength(24);
      expect(n.stepsTrained).toBe(20);
      for (const v of [...n.init.norms, ...n.trained.norms, n.heldOutMse])
        expect(Number.isFinite(v)).toBe(true);
      // The loss sits at the last step: the gradient reaching it directly is non-zero.
      expect(n.init.norms[23]).toBeGreaterThan(0);
    }
    // The lesson itself: at initialisation the tanh RNN's gradient decays towards early steps.
    const tanh = result.networks[0];
    expect(tanh.init.firstOverLast).toBeLessThan(0.1);
    expect(r.stderr).toContain('backend: cpu');
    const { readFileSync } = await import('node:fs');
    const svg = readFileSync(result.files.svg, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('LSTM');
  });
});
