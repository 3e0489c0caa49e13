#!/usr/bin/env bash
# Compares the Go path most users write (batch.New with a typed handler,
# Function.Invoke; dynamodbav for DynamoDB Streams) with Powertools for AWS
# Lambda (TypeScript) 2.35.0 (JSON.parse, processPartialResponse,
# JSON.stringify) on the same seeded events, from the event's bytes to the
# response's, and prints a Markdown table. docs/13-performance.md explains
# the method and holds the latest results.
#
#   scripts/bench-vs-powertools.sh            # 7 rounds, SQS, Kinesis, DynamoDB, 1,000 and 10,000 records
#   ROUNDS=3 SIZES=1000 SOURCES=sqs scripts/bench-vs-powertools.sh
#   scripts/bench-vs-powertools.sh --smoke    # one tiny round of each: checks both sides, times nothing useful
#
# Each round runs one process per side, source and size: it reads the event,
# checks its response against the expected one, warms up, and times
# ITERATIONS invocations in-process. Rounds alternate which side goes first.
# Each round also times a Go function that does not decode payloads (its
# handler looks for the status in the raw payload), the floor of the Go
# side; RAW=0 leaves it out.
# Environment: ROUNDS, SOURCES, SIZES, SEED, OUT (the output directory,
# default .tmp/bench-vs-powertools), ITERATIONS and WARMUP (default: about
# 60,000 and 20,000 records' worth), PIN (a command prefix for both
# sides, such as "taskset -c 1"), and PROFILE=1 to profile one more round
# of each side per source and size and print where their CPU time went.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

rounds=${ROUNDS:-7}
sources=${SOURCES:-"sqs kinesis dynamodb"}
sizes=${SIZES:-"1000 10000"}
seed=${SEED:-1}
out=${OUT:-$root/.tmp/bench-vs-powertools}
pin=${PIN:-}
smoke=0
if [ "${1:-}" = --smoke ]; then
	smoke=1 rounds=1 sizes=100
	out=${OUT:-$root/.tmp/bench-vs-powertools-smoke}
fi

command -v go >/dev/null || { echo "bench-vs-powertools: Go is not installed" >&2; exit 1; }
command -v node >/dev/null || { echo "bench-vs-powertools: Node.js (20 or later) is not installed" >&2; exit 1; }
command -v npm >/dev/null || { echo "bench-vs-powertools: npm is not installed" >&2; exit 1; }

mkdir -p "$out"
echo "== npm ci (bench/powertools)" >&2
(cd bench/powertools && npm ci --no-audit --no-fund --loglevel=error >&2)
echo "== building the Go side" >&2
go -C bench build -o "$out/gobench" .
echo "== generating the events (seed $seed) into $out/events" >&2
"$out/gobench" gen -dir "$out/events" -records "$(echo $sizes | tr ' ' ',')" -sources "$(echo $sources | tr ' ' ',')" -seed "$seed"

results="$out/results.jsonl"
: >"$results"
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

for round in $(seq 1 "$rounds"); do
	for src in $sources; do
		for n in $sizes; do
			iterations=${ITERATIONS:-$(( n < 12000 ? 60000 / n : 5 ))}
			warmup=${WARMUP:-$(( n < 7000 ? 20000 / n : 3 ))}
			if [ "$smoke" = 1 ]; then iterations=2 warmup=1; fi
			[ "$iterations" -ge 1 ] || iterations=1
			[ "$warmup" -ge 1 ] || warmup=1
			run_go() {
				$pin "$out/gobench" run -dir "$out/events" -source "$src" -records "$n" -round "$round" \
					-warmup "$warmup" -iterations "$iterations" >>"$results"
			}
			run_raw() {
				[ "${RAW:-1}" = 1 ] || return 0
				$pin "$out/gobench" run -dir "$out/events" -source "$src" -records "$n" -round "$round" -variant raw \
					-warmup "$warmup" -iterations "$iterations" >>"$results"
			}
			run_node() {
				$pin node bench/powertools/bench.mjs --dir "$out/events" --source "$src" --records "$n" --round "$round" \
					--warmup "$warmup" --iterations "$iterations" >>"$results"
			}
			echo "== round $round/$rounds: $src, $n records, $iterations iterations after $warmup" >&2
			if [ $((round % 2)) = 1 ]; then run_go; run_node; else run_node; run_go; fi
			run_raw
		done
	done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

profiles=() nodeprofiles=()
if [ "${PROFILE:-}" = 1 ]; then
	for src in $sources; do
		for n in $sizes; do
			echo "== profiling both sides: $src, $n records" >&2
			iterations=$(( n < 6000 ? 300000 / n : 30 ))
			$pin "$out/gobench" run -dir "$out/events" -source "$src" -records "$n" -round 0 \
				-warmup 5 -iterations "$iterations" -cpuprofile "$out/go-$src-$n.pprof" >/dev/null
			$pin node --cpu-prof --cpu-prof-dir="$out" --cpu-prof-name="node-$src-$n.cpuprofile" \
				bench/powertools/bench.mjs --dir "$out/events" --source "$src" --records "$n" --round 0 \
				--warmup 5 --iterations "$iterations" >/dev/null
			profiles+=("go-$src-$n.pprof")
			nodeprofiles+=("$out/node-$src-$n.cpuprofile")
		done
	done
fi

{
	echo "Go side: $(go version | cut -d' ' -f3-), GOGC=${GOGC:-100}, GOMAXPROCS=${GOMAXPROCS:-$(nproc)}; Node side: Node $(node --version), @aws-lambda-powertools/batch $(node -p 'require("./bench/powertools/node_modules/@aws-lambda-powertools/batch/package.json").version'); $(nproc) CPUs${pin:+, pinned with \"$pin\"}; load average $load_before before, $load_after after; $rounds rounds, seed $seed."
	echo
	"$out/gobench" report "$results"
	if [ ${#profiles[@]} -gt 0 ]; then
		echo
		echo "Where the Go side's CPU time goes (share of the samples of each profile):"
		echo
		(cd "$out" && ./gobench breakdown "${profiles[@]}")
		echo
		echo "Where the Powertools side's CPU time goes (warm-up included):"
		echo
		node bench/powertools/breakdown.mjs "${nodeprofiles[@]}"
	fi
} >"$out/results.md"
cat "$out/results.md"
