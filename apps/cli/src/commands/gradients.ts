/**
 * `strand gradients`: the vanishing-gradient lesson made visible. ‖∂L/∂h_t‖ over 100+ steps for a
 * tanh RNN, an identity-initialised ReLU RNN, a GRU and an LSTM on the adding problem, at
 * initialisation and after training; a terminal chart and an SVG plot.
 */
import type { Command } from 'commander';
import { addCommonOptions, commonOptions, parseChoice, parseInteger, parseNumber } from '../frame/options.js';
import { table } from '../frame/output.js';
import { renderSvg, terminalChart } from '../frame/plot.js';
import { startRun } from '../frame/run.js';
import { ADDING_BASELINE_MSE } from './gradients/adding-task.js';
import { type NetworkResult, runNetwork } from './gradients/experiment.js';
import { NETWORK_LABELS, NETWORKS, type NetworkName } from './gradients/networks.js';

const DEFAULT_STEPS = 200;

export function gradientsCommand(program: Command): void {
  const command = program
    .command('gradients')
    .description(
      'Plot ‖∂L/∂h_t‖ through time for a tanh RNN, a ReLU RNN (identity init), a GRU and an LSTM on the adding problem, at initialisation and after training',
    )
    .option('--time <T>', 'sequence length (the loss sits at the last step)', parseInteger(2), 100)
    .option('--units <H>', 'hidden units of every network', parseInteger(1), 64)
    .option('--batch <B>', 'batch size', parseInteger(1), 32)
    .option('--lr <rate>', 'Adam learning rate', parseNumber(0, 1, false), 1e-3)
    .option(
      '--networks <list>',
      `comma-separated subset of ${NETWORKS.join(',')}`,
      (v: string) => v.split(',').map((n) => parseChoice(NETWORKS)(n.trim())),
      [...NETWORKS],
    );
  addCommonOptions(command, { out: 'strand-runs/gradients', steps: DEFAULT_STEPS });
  command.action(async (raw: Record<string, unknown>) => {
    const options = commonOptions(raw);
    const run = await startRun(options);
    const { output } = run;
    const networks = raw['networks'] as NetworkName[];
    const config = {
      networks,
      time: raw['time'] as number,
      units: raw['units'] as number,
      batch: raw['batch'] as number,
      learningRate: raw['lr'] as number,
      steps: options.steps ?? DEFAULT_STEPS,
      seed: options.seed,
      deadline: run.deadline,
    };
    const results: NetworkResult[] = [];
    for (const name of networks) {
      let last = performance.now();
      const started = last;
      const result = await runNetwork(name, {
        ...config,
        // Each network gets an equal share of what is left of the time budget.
        deadline: Math.min(
          run.deadline,
          performance.now() / 1000 +
            (run.deadline - performance.now() / 1000) / (networks.length - results.length),
        ),
        onStep: (network, step, loss) => {
          const now = performance.now();
          if (now - last > 2000 || step === config.steps) {
            last = now;
            const rate = step / ((now - started) / 1000);
            output.note(
              `${NETWORK_LABELS[network]}: step ${step}/${config.steps}  loss ${loss.toFixed(4)}  ${rate.toFixed(1)} steps/s`,
            );
          }
        },
      });
      results.push(result);
    }

    const series = (phase: 'init' | 'trained') =>
      results.map((r) => ({
        name: NETWORK_LABELS[r.network],
        values: r[phase].norms.map((n) => Math.log10(Math.max(n, 1e-30))),
      }));
    // In colour one chart holds every network; without colour the lines would be indistinguishable,
    // so each network gets its own small chart with both phases.
    if (output.interactive) {
      output.say(`log10 ‖∂L/∂h_t‖ at initialisation (t = 0 .. ${config.time - 1}, loss at the last step)`);
      output.say(terminalChart(series('init'), { color: true }));
      output.say();
      output.say('log10 ‖∂L/∂h_t‖ after training');
      output.say(terminalChart(series('trained'), { color: true }));
    } else {
      const init = series('init');
      const trained = series('trained');
      init.forEach((s, i) => {
        for (const [phase, values] of [
          ['at initialisation', s.values],
          ['after training', trained[i]!.values],
        ] as const) {
          output.say(`${s.name}, ${phase}: log10 ‖∂L/∂h_t‖, t = 0 .. ${config.time - 1}`);
          output.say(
            terminalChart([{ name: s.name, values }], { height: 4 })
              .split('\n')
              .slice(0, -1)
              .join('\n'),
          );
        }
      });
    }
    output.say();

    const reach = (norms: readonly number[]) => norms[0]! / Math.max(norms[norms.length - 1]!, 1e-30);
    output.say(
      table([
        ['network', '‖∂L/∂h_0‖ / ‖∂L/∂h_T‖ init', 'after training', 'steps', 'held-out MSE', 'baseline MSE'],
        ...results.map((r) => [
          NETWORK_LABELS[r.network],
          reach(r.init.norms).toExponential(2),
          reach(r.trained.norms).toExponential(2),
          String(r.stepsTrained),
          r.heldOutMse.toFixed(4),
          ADDING_BASELINE_MSE.toFixed(4),
        ]),
      ]),
    );
    output.say(
      'Anchor: Le, Jaitly & Hinton (2015) — on the adding problem the tanh RNN stays at the baseline MSE (0.167) while the IRNN and the LSTM learn it; gradients through a tanh RNN shrink geometrically with distance.',
    );

    const data = results.flatMap((r) =>
      (['init', 'trained'] as const).flatMap((phase) =>
        r[phase].norms.map((norm, t) => ({
          network: NETWORK_LABELS[r.network],
          phase: phase === 'init' ? 'at initialisation' : `after ${r.stepsTrained} steps`,
          t,
          norm: Math.max(norm, 1e-30),
        })),
      ),
    );
    const svg = await renderSvg({
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title: `‖∂L/∂h_t‖ through time, adding problem, T = ${config.time}`,
      data: { values: data },
      facet: { column: { field: 'phase', type: 'nominal', title: null, sort: ['at initialisation'] } },
      spec: {
        width: 360,
        height: 260,
        mark: { type: 'line' },
        encoding: {
          x: { field: 't', type: 'quantitative', title: 'time step t' },
          y: { field: 'norm', type: 'quantitative', scale: { type: 'log' }, title: '‖∂L/∂h_t‖' },
          color: { field: 'network', type: 'nominal' },
        },
      },
    });
    const svgPath = await run.write('gradients.svg', svg);
    const jsonPath = await run.write('gradients.json', `${JSON.stringify({ config, results }, null, 1)}\n`);
    output.say(`wrote ${svgPath}`);
    output.result({
      command: 'gradients',
      backend: run.backend.name,
      config,
      baselineMse: ADDING_BASELINE_MSE,
      networks: results.map((r) => ({
        network: r.network,
        stepsTrained: r.stepsTrained,
        heldOutMse: r.heldOutMse,
        init: { loss: r.init.loss, norms: r.init.norms, firstOverLast: reach(r.init.norms) },
        trained: { loss: r.trained.loss, norms: r.trained.norms, firstOverLast: reach(r.trained.norms) },
      })),
      files: { svg: svgPath, json: jsonPath },
    });
  });
}
