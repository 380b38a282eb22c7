#!/bin/bash
# Usage: PYTHON=.venv/bin/python PORT=8716 bench/first_answer.sh   (needs curl and bc)
# The steps of `make run` after its install, on a fresh home, timed; then the time to the first
# 200 from the forecast endpoint and until /v1/models names the selection.
set -u
cd "$(dirname "$0")/.."
export HEADROOM_HOME=$(mktemp -d /tmp/serve16-run.XXXX)/home
export HEADROOM_PORT=${PORT:-8716}
PY=${PYTHON:-.venv/bin/python}
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
t0=$(date +%s.%N)
$PY -m pipelines.cli demo --if-empty >/dev/null
t1=$(date +%s.%N)
$PY -m pipelines.cli train --models baseline --if-unserved
t2=$(date +%s.%N)
$PY -m service.security >/dev/null
$PY -m pipelines.cli serve > $HEADROOM_HOME/../serve.log 2>&1 &
SERVE=$!
URL=http://127.0.0.1:$HEADROOM_PORT
until curl -sf -o /dev/null "$URL/v1/regions/us-nova/forecast"; do sleep 0.5; done
t3=$(date +%s.%N)
echo "demo $(echo "$t1-$t0" | bc) s, train (baseline) $(echo "$t2-$t1" | bc) s, first 200 at $(echo "$t3-$t0" | bc) s after start"
curl -s "$URL/v1/models" | $PY -c "import json,sys; print(sorted({m['model_version'] for m in json.load(sys.stdin)['models']}))"
until curl -s "$URL/v1/models" | grep -q -- "-default-d"; do sleep 2; done
t4=$(date +%s.%N)
echo "selection serving at $(echo "$t4-$t0" | bc) s after start"
curl -s "$URL/v1/models" | $PY -c "import json,sys; print(sorted({m['model_version'] for m in json.load(sys.stdin)['models']}))"
curl -s "$URL/v1/regions/us-nova/forecast?horizon=3" | $PY -c "import json,sys; d=json.load(sys.stdin); print({k: v for k, v in d.items() if k != 'rows' and k!='points'})" | cut -c1-600
kill $SERVE
wait $SERVE 2>/dev/null
