// Runs bench/peer_torch.py with Debian's python3 (the one with python3-torch); { error } when it cannot.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export function torchPeer(cfg, threads, script = 'peer_torch.py') {
  try {
    const out = execFileSync('/usr/bin/python3', [join(here, script), JSON.stringify({ ...cfg, threads })], {
      encoding: 'utf8',
      timeout: 300_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return JSON.parse(out.trim().split('\n').pop());
  } catch (e) {
    return {
      error: `PyTorch not run: ${String(e.stderr || e.message)
        .trim()
        .split('\n')
        .pop()}`,
    };
  }
}
