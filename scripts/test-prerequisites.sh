#!/usr/bin/env bash
# What the tests need beyond npm packages, installed when missing (run by `npm test` before the tests):
# Debian's prometheus and promtool (the TrafficMetrics tests run a real Prometheus), and the real
# Kubernetes servers of the end-to-end tests, built from Kubernetes' Go modules (test/cluster/build.ts;
# once per machine, into ~/.cache/smi-test-servers), and Debian's chromium (the dashboard's browser
# tests drive it with playwright-core). kubectl comes with the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v go >/dev/null 2>&1; then
  echo "test prerequisites: go is not on PATH; it builds kube-apiserver, kube-controller-manager and etcd for the end-to-end tests" >&2; exit 1
fi
node --import tsx test/cluster/build.ts >/dev/null
missing=()
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "test prerequisites: missing Debian packages: $pkgs; install them as root (apt-get install $pkgs)" >&2; exit 1
  fi
fi
echo "test prerequisites: installing Debian packages: $pkgs (apt-get; once per machine)" >&2
$SUDO apt-get update -q >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $pkgs >&2
echo "test prerequisites: installed $pkgs" >&2
