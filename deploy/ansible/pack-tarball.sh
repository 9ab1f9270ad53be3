#!/usr/bin/env bash
# Pack this repository's build into a tarball the Ansible role unpacks (Node >= 20 on the hosts):
# bin/, dist/, the static helpers, the workload sources, docs and the production node_modules.
#   npm run build && deploy/ansible/pack-tarball.sh OUT.tar.gz
set -euo pipefail
out=$(realpath -m "${1:?usage: pack-tarball.sh OUT.tar.gz}")
cd "$(dirname "$0")/../.."
[ -f dist/src/cli/entry.js ] || { echo "error: not built; run npm run build first" >&2; exit 2; }
mapfile -t deps < <(npm ls --omit=dev --parseable --all 2>/dev/null | tail -n +2 | sed "s#^$PWD/##")
tar -czf "$out" bin dist build/native workloads probes/native docs package.json "${deps[@]}"
echo "$out: $(du -h "$out" | cut -f1), ${#deps[@]} production packages"
