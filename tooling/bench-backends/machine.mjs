// The machine in words, for benchmark headers.
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export function describeMachine() {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpu}, ${os.availableParallelism()} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}`;
}

/** Runs a Python peer with Debian's interpreter (the one with python3-torch); null if it is absent. */
export function runPython(script, args = [], { timeout = 240_000 } = {}) {
  try {
    return execFileSync('/usr/bin/python3', [script, ...args], {
      encoding: 'utf8',
      timeout,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    return {
      error: String(error.stderr || error.message)
        .trim()
        .split('\n')
        .at(-1),
    };
  }
}
