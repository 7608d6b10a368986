#!/usr/bin/env bash
# Fuzzes every API of a running stack with schemathesis (a tool nobody here wrote) and fails on
# any server error: a 5xx from a REST service, an "internal server error" from GraphQL.
#
# The targets come from `oms status --json` (the CLI's catalogue): each service that serves
# /openapi.json is fuzzed through it, each that answers GraphQL at /graphql through
# introspection; a service with neither (orders-stream) is listed as skipped. A new service
# is fuzzed as soon as the catalogue has it.
#
# It writes data into the stack (customers, reservations, stock of the SKUs the OpenAPI
# examples name): run it last on a stack that is thrown away afterwards, never on one a later
# test relies on.
#
# Environment (all optional):
#   OMS_FUZZ_MAX_EXAMPLES  test cases per operation and phase (default 20)
#   OMS_FUZZ_TIMEOUT       seconds one target may run before it is stopped and fails (default 240)
#   OMS_FUZZ_SEED          schemathesis seed, to replay a run (default: random, printed)
#   OMS_FUZZ_VENV          where schemathesis is installed (default ~/.cache/oms/schemathesis-<version>)
#   OMS_FUZZ_OUT           logs, JUnit reports and replay cassettes (default /tmp/oms-fuzz)
#   OMS_FUZZ_CHECKS        schemathesis checks (default not_a_server_error)
# plus every OMS_* variable `oms status` reads (ports, state dir) to fuzz a shifted stack.
set -euo pipefail
cd "$(dirname "$0")/../.."

version=4.32.5
venv="${OMS_FUZZ_VENV:-$HOME/.cache/oms/schemathesis-$version}"
examples="${OMS_FUZZ_MAX_EXAMPLES:-20}"
limit="${OMS_FUZZ_TIMEOUT:-240}"
checks="${OMS_FUZZ_CHECKS:-not_a_server_error}"
out="${OMS_FUZZ_OUT:-/tmp/oms-fuzz}"
t0=$(date +%s)

# schemathesis from PyPI, pinned, in its own venv (python3-venv on Debian; .ci/run installs it).
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -qF "$version"; then
  echo "installing schemathesis $version into $venv"
  if ! python3 -m venv --clear "$venv"; then
    echo "python3 -m venv failed: install python3-venv (apt-get install python3-venv)" >&2
    exit 3
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi

# The services of the stack and where they answer; the stack must be healthy to be fuzzed.
if ! status=$(bin/oms status --json 2>/dev/null); then
  echo "the stack is not healthy (oms status failed): bring it up first" >&2
  bin/oms status >&2 || true
  exit 1
fi
mapfile -t services < <(python3 -c '
import json, sys
for c in json.load(sys.stdin)["data"]["components"]:
    if c["kind"] == "service" and c.get("url"):
        print(c["id"], c["url"])
' <<<"$status")

mkdir -p "$out"
names=() pids=() kinds=()
for line in "${services[@]}"; do
  read -r id url <<<"$line"
  if curl -fs -o /dev/null --max-time 5 "$url/openapi.json"; then
    kind=openapi location="$url/openapi.json"
  elif curl -fs -o /dev/null --max-time 5 -H 'content-type: application/json' -d '{"query":"{ __typename }"}' "$url/graphql"; then
    kind=graphql location="$url/graphql"
  else
    printf '  %-14s no /openapi.json or /graphql: skipped\n' "$id"
    continue
  fi
  rm -rf "${out:?}/$id" && mkdir -p "$out/$id"
  args=(run "$location" --url "$url" --checks "$checks" --max-examples "$examples" --workers 1
    --request-timeout 10 --suppress-health-check all --report junit,vcr --report-dir "$out/$id")
  [ -n "${OMS_FUZZ_SEED:-}" ] && args+=(--seed "$OMS_FUZZ_SEED")
  # In its own directory: schemathesis keeps its example database in the working directory.
  (cd "$out/$id" && NO_COLOR=1 timeout "$limit" "$venv/bin/schemathesis" "${args[@]}" >"$out/$id/output.log" 2>&1) &
  names+=("$id") kinds+=("$kind") pids+=($!)
  printf '  %-14s %s %s\n' "$id" "$kind" "$location"
done

if [ ${#names[@]} -eq 0 ]; then
  echo "no service to fuzz: is the stack up?" >&2
  exit 1
fi

failed=0
printf '\n%-14s %-8s %-6s %s\n' service api result "test cases (schemathesis)"
for i in "${!names[@]}"; do
  id=${names[$i]}
  if wait "${pids[$i]}"; then rc=0; else rc=$?; fi
  summary=$(grep -E '^ *[0-9]+ generated' "$out/$id/output.log" | tail -1 | sed 's/^ *//')
  case $rc in
    0) result=ok ;;
    124) result=TIMEOUT summary="stopped after ${limit}s" ;;
    *) result=FAILED ;;
  esac
  printf '%-14s %-8s %-6s %s\n' "$id" "${kinds[$i]}" "$result" "${summary:-no summary}"
  if [ "$rc" -ne 0 ]; then
    failed=1
    echo "---- $id (exit $rc): the end of $out/$id/output.log"
    sed -n '/FAILURES\|ERRORS/,$p' "$out/$id/output.log" | tail -60
    [ "$rc" -eq 124 ] && tail -20 "$out/$id/output.log"
  fi
done
printf '\nfuzzed %d APIs in %ss; logs, JUnit reports and cassettes in %s\n' "${#names[@]}" "$(( $(date +%s) - t0 ))" "$out"
exit "$failed"
