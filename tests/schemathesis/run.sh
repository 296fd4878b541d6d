#!/usr/bin/env bash
# Schemathesis against the spec the server serves (GET /api/openapi.json), on SQLite and on
# PostgreSQL: positive and negative data, checks not_a_server_error, response_schema_conformance
# and ignored_auth. Exits non-zero on any failure; the baseline is 0 failures.
#
#   bash tests/schemathesis/run.sh            # builds target/release/dossier
#   DOSSIER_BIN=target/debug/dossier bash tests/schemathesis/run.sh
#
# Knobs: BACKENDS ("sqlite postgres"), MAX_EXAMPLES (per operation, default 12), MAX_TIME
# (seconds per backend, default 90), SEED (default: random, printed), PGURL (default
# postgres://postgres@127.0.0.1:5432). Reports land in target/schemathesis/<backend>/.
#
# Exclusions: none. Every operation of the spec is tested with the three checks. (Any exclusion
# added here needs its reason written beside it and in docs/reliability.md.)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
here=tests/schemathesis
venv=$(realpath -m "${VENV:-$here/.venv}")
backends=${BACKENDS:-sqlite postgres}
max_examples=${MAX_EXAMPLES:-12}
max_time=${MAX_TIME:-90}
pgurl=${PGURL:-postgres://postgres@127.0.0.1:5432}
out=$root/target/schemathesis

if [ ! -x "$venv/bin/schemathesis" ]; then
  echo "== python venv ($venv) and $here/requirements.txt"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r "$here/requirements.txt"
fi
if [ -z "${DOSSIER_BIN:-}" ]; then
  echo "== cargo build --release -p dossier"
  cargo build --release -p dossier
  DOSSIER_BIN=target/release/dossier
fi
bin=$(realpath "$DOSSIER_BIN")
seed=${SEED:-$(python3 -c 'import random; print(random.getrandbits(64))')}

work=$(mktemp -d)
server_pid=
pg_db=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$pg_db" ]; then psql "$pgurl/postgres" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# One backend: a fresh installation, a server, an admin key, seeded ids, then schemathesis.
run_backend() {
  local backend=$1 dir=$work/$1 url=
  mkdir -p "$dir/data" "$out/$backend"
  if [ "$backend" = postgres ]; then
    pg_db=schema_st_$$_$RANDOM
    psql "$pgurl/postgres" -qc "CREATE DATABASE $pg_db" >/dev/null
    url="$pgurl/$pg_db"
  fi
  # Rate limits off: schemathesis sends thousands of requests from one address with one key, and
  # ignored_auth's probes without a key would meet the failed-authentication limit's 429 instead
  # of the 401 they check for. No network: official watchlists and webhook delivery are off.
  cat > "$dir/config.toml" <<EOF
data_dir = "$dir/data"
[server]
rate_limit_per_second = 0
auth_failures_per_second = 0
[database]
url = "$url"
[watchlists]
official = []
refresh = false
[webhooks]
delivery = false
EOF
  local port; port=$(free_port)
  local base=http://127.0.0.1:$port
  "$bin" --config "$dir/config.toml" migrate >/dev/null 2>"$dir/migrate.err" || { cat "$dir/migrate.err" >&2; return 1; }
  local key
  key=$("$bin" --config "$dir/config.toml" apikey create --role admin --name schemathesis 2>/dev/null | tail -1 | awk '{print $NF}')
  "$bin" --config "$dir/config.toml" serve --bind "127.0.0.1:$port" >"$dir/server.out" 2>"$dir/server.err" &
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -fsS "$base/readyz" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if ! curl -fsS "$base/readyz" >/dev/null 2>&1; then
    echo "the $backend server did not start; its stderr:" >&2
    cat "$dir/server.err" >&2
    return 1
  fi
  python3 "$here/seed.py" "$base" "$key" "$dir/schemathesis.toml" || { tail -50 "$dir/server.err" >&2; return 1; }
  local started=$SECONDS status=0
  # --max-time bounds fuzzing and stateful testing (they repeat until it is spent); the examples
  # and coverage phases run once. --generation-database none: each run starts from the seed alone.
  # From the run's own directory: schemathesis keeps its cache and hypothesis its examples in the
  # working directory, and a run must not replay another's.
  (cd "$dir" && "$venv/bin/schemathesis" --config-file "$dir/schemathesis.toml" run "$base/api/openapi.json" \
    --header "Authorization: Bearer $key" \
    --checks not_a_server_error,response_schema_conformance,ignored_auth \
    --mode all \
    --max-examples "$max_examples" \
    --max-time "$max_time" \
    --seed "$seed" \
    --workers 2 \
    --generation-database none \
    --no-color \
    --report junit,ndjson --report-dir "$out/$backend") \
    || status=$?
  echo "== $backend: schemathesis exited $status after $((SECONDS - started)) s (seed $seed)"
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=
  cp "$dir/server.err" "$out/$backend/server.err"
  if grep -q "panicked" "$dir/server.err"; then
    echo "the $backend server panicked:" >&2
    grep -A5 "panicked" "$dir/server.err" >&2
    status=1
  fi
  if [ "$status" -ne 0 ]; then
    echo "== $backend server stderr (last 200 lines; whole file in $out/$backend/server.err)" >&2
    tail -200 "$dir/server.err" >&2
  fi
  if [ -n "$pg_db" ]; then
    psql "$pgurl/postgres" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true
    pg_db=
  fi
  return "$status"
}

failed=0
for backend in $backends; do
  echo "== schemathesis on $backend"
  run_backend "$backend" || failed=1
done
exit "$failed"
