#!/bin/sh
# The deadline week under load: PostgreSQL, gunicorn, the Redis task backend and cache,
# and bench/locust_deadline_week.py, all on this machine.
#
#   bench/load_week.sh [USERS] [DURATION] [SPAWN_RATE]     (defaults: 850 5m 5)
#
# Creates the scratch database spotcheck_load (dropped first), migrates it, loads the
# calendar, the demo scenario and bench/load_week_setup.py (groups of three inspectors with
# logins, 300 records among them), issues an API token, starts gunicorn (GUNICORN_WORKERS,
# default 4) and an RQ worker, runs locust headless with its statistics reset once every
# user has started, and prints the summary. The CSV files are left in var/load/.
set -eu

USERS=${1:-850}
DURATION=${2:-5m}
RATE=${3:-5}
PORT=${LOAD_PORT:-8077}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/.venv/bin
OUT=$ROOT/var/load
DB=spotcheck_load

export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export SPOTCHECK_ENV=production
export SECRET_KEY="load-test-only-$(date +%s)-not-a-real-secret-value-0123456789"
export ALLOWED_HOSTS=127.0.0.1
export SECURE_COOKIES=false
export TASKS_BACKEND=rq
export REDIS_URL=${LOAD_REDIS_URL:-redis://127.0.0.1:6379/7}
export CACHE_BACKEND=redis
export PUBLIC_RATE_LIMIT=100000000
export LOG_LEVEL=WARNING

mkdir -p "$OUT"
cd "$ROOT"
psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $DB" \
  -c "CREATE DATABASE $DB"
"$BIN/python" manage.py migrate --noinput -v 0
"$BIN/python" manage.py calendar_load > /dev/null
"$BIN/python" manage.py demo_load > /dev/null
"$BIN/python" bench/load_week_setup.py --records "${LOAD_RECORDS:-300}" --out "$OUT/plan.json"
LOCUST_API_KEY=$("$BIN/python" manage.py api_token_issue scj_admin --name 压测 --key-only)
export LOCUST_API_KEY
export LOCUST_PLAN="$OUT/plan.json"

"$BIN/python" manage.py rqworker --job-class django_tasks_rq.Job default > "$OUT/worker.log" 2>&1 &
WORKER=$!
"$BIN/gunicorn" config.wsgi --bind "127.0.0.1:$PORT" --workers "${GUNICORN_WORKERS:-4}" \
  --access-logfile /dev/null --error-logfile "$OUT/gunicorn.log" &
SERVER=$!
trap 'kill $SERVER $WORKER 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 50); do
  curl -fs -o /dev/null "http://127.0.0.1:$PORT/" && break
  sleep 0.2
done

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$BIN/locust" -f bench/locust_deadline_week.py --host "http://127.0.0.1:$PORT" --headless \
  -u "$USERS" -r "$RATE" -t "$DURATION" --reset-stats --csv "$OUT/week" --only-summary \
  2>&1 | tail -n 60
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
