#!/bin/sh
# Fuzz the integration API with schemathesis against a server on a scratch PostgreSQL
# database holding the demo scenario; fail on any 5xx.  Runs as one step of .ci/run.
#   scripts/api-fuzz.sh [max-examples per operation, default 10]
# With 10 examples the run itself takes about 1m40s on a busy 2-core machine (most of it
# schemathesis' coverage phase); it signs in as the demo market-bureau admin, so the
# scoped reads and the refused sync rows are exercised as well as the successful ones.
# A second, shorter pass sends the record endpoints (result entry, photos, signing,
# review) as the demo market inspector, all on one record of the field demo whose group
# they belong to, so the generated bodies reach the services instead of stopping at 404.
# Environment: API_FUZZ_DB (default spotcheck_apifuzz), API_FUZZ_PORT (default 8765).
set -eu
cd "$(dirname "$0")/.."
examples=${1:-10}
db=${API_FUZZ_DB:-spotcheck_apifuzz}
port=${API_FUZZ_PORT:-8765}
PY=${PYTHON:-.venv/bin/python}
BIN=$(dirname "$PY")
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
export DEBUG=false ALLOWED_HOSTS=127.0.0.1 SECRET_KEY=api-fuzz-only-0123456789abcdefghijklmnop
# one client address sends every request: lift the public look-up limit for the run
export PUBLIC_RATE_LIMIT=100000000

psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db" >/dev/null
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db" >/dev/null
"$PY" manage.py migrate --noinput >/dev/null
"$PY" manage.py calendar_load >/dev/null
"$PY" manage.py demo_load >/dev/null
"$PY" manage.py demo_field >/dev/null
key=$("$PY" manage.py api_token_issue scj_admin --name "接口模糊测试" --key-only)
inspector_key=$("$PY" manage.py api_token_issue scj_inspector --name "接口模糊测试（现场检查）" --key-only)
record=$("$PY" manage.py shell --no-imports -c 'from spotcheck.demo.field import FIELD_TASK_NUMBER
from spotcheck.inspections.models import JointRecord
print(JointRecord.objects.get(number=FIELD_TASK_NUMBER + "-0001").pk)')

log=$(mktemp)
config=$(mktemp)
# photos and signatures the run stores go to a scratch folder, not var/media
export MEDIA_ROOT="$(mktemp -d)"
printf 'parameters = { "path.id" = %s }\n' "$record" >"$config"
"$PY" manage.py runserver --noreload --nothreading "127.0.0.1:$port" >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$log" "$config" "$MEDIA_ROOT"; psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1' EXIT INT TERM

schema="http://127.0.0.1:$port/api/v1/schema/?format=json"
common="--checks not_a_server_error --max-examples $examples --seed 20261126 --workers 1
  --phases examples,coverage,fuzzing --generation-database none --request-timeout 20 --no-color"
status=0
# shellcheck disable=SC2086  # $common is a list of options
"$BIN/schemathesis" run "$schema" --wait-for-schema 30 \
  --header "Authorization: Token $key" $common || status=$?
if [ "$status" -eq 0 ]; then
  # shellcheck disable=SC2086
  "$BIN/schemathesis" --config-file "$config" run "$schema" \
    --include-path-regex '^/api/v1/records/[{]id[}]/' \
    --header "Authorization: Token $inspector_key" $common || status=$?
fi
if [ "$status" -ne 0 ]; then
  echo "--- server log (tail) ---"; tail -n 80 "$log"
fi
exit "$status"
