#!/usr/bin/env bash
# Profile the server's vote path under load with py-spy (pip install py-spy).
#
#   bench/profile.sh [KIOSKS] [BURSTS] [extra loadtest options...]
#
# Starts `votehall loadtest --no-echo`, waits until the spawned server holds KIOSKS sockets
# (so the connect phase stays out of the profile), records the server for the bursts, then
# prints the functions with the most samples. Outputs: /tmp/votehall-profile.txt (collapsed
# stacks, for flamegraph.pl or speedscope), and
# the loadtest's own report in /tmp/votehall-profile.out. Set NATIVE=1 to see C frames
# (garbage collector, uvloop); that mode pauses the server for every sample.
set -euo pipefail
cd "$(dirname "$0")/.."
KIOSKS="${1:-10000}"
BURSTS="${2:-8}"
shift $(( $# > 2 ? 2 : $# ))
OUT=/tmp/votehall-profile
PY=.venv/bin/python
[ -x "$PY" ] || PY=python3

"$PY" -m server loadtest --kiosks "$KIOSKS" --bursts "$BURSTS" --no-echo "$@" >"$OUT.out" 2>&1 &
LOADTEST=$!
trap 'kill "$LOADTEST" 2>/dev/null || true' EXIT

SERVER=""
for _ in $(seq 1 600); do
    SERVER="$(pgrep -P "$LOADTEST" -f 'server serve' || true)"
    [ -n "$SERVER" ] && break
    sleep 0.1
done
[ -n "$SERVER" ] || { echo "the server did not start"; cat "$OUT.out"; exit 1; }
until [ "$(ls "/proc/$SERVER/fd" 2>/dev/null | wc -l)" -ge "$KIOSKS" ]; do
    kill -0 "$SERVER" 2>/dev/null || { echo "the server exited"; cat "$OUT.out"; exit 1; }
    sleep 0.2
done

MODE=(--nonblocking --rate 250)
[ "${NATIVE:-0}" = 1 ] && MODE=(--native --rate 100)
py-spy record --pid "$SERVER" "${MODE[@]}" --format raw -o "$OUT.txt" >/dev/null 2>&1 || true
wait "$LOADTEST" || true
trap - EXIT

cat "$OUT.out"
"$PY" bench/profile_summary.py "$OUT.txt"
