#!/usr/bin/env bash
# One-time (idempotent) set-up of a fresh machine for Strand: pnpm at the exact pinned version,
# system packages for the browser/WebGPU tests and the peer benchmarks (when run as root with apt),
# the workspace's npm dependencies, and a build of every package.
set -euo pipefail
cd "$(dirname "$0")/../.."

pnpm_version=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null || true)" != "$pnpm_version" ]; then
  echo "setup: installing pnpm@$pnpm_version"
  npm install --global --no-fund --no-audit "pnpm@$pnpm_version" >/dev/null
fi

# chromium: headless browser tests, and its SwiftShader Vulkan driver for WebGPU in Node (Dawn).
# libvulkan1: the Vulkan loader Dawn needs. python3-torch / nltk / pomegranate: peers in tests and benchmarks.
packages=(chromium libvulkan1 python3-torch python3-nltk python3-pomegranate irstlm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: apt-get install ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: not root or no apt-get; skipping system packages (${missing[*]}): browser, WebGPU and peer checks will skip"
  fi
fi

pnpm install --frozen-lockfile
pnpm build
