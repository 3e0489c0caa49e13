#!/usr/bin/env bash
# Compares the library's JSON decoders with encoding/json and with three
# general decoders that could replace it, github.com/go-json-experiment/json
# (encoding/json/v2), github.com/goccy/go-json and github.com/bytedance/sonic,
# in the module bench/decoders, and prints Markdown tables:
#
#   env    the Go version, the machine, the load average, the versions used;
#   diff   how often each decoder differs from encoding/json on the tricky
#          inputs of the differential test;
#   bench  speed and allocations of one payload, of one payload end to end
#          through Function.Invoke, and of whole events, each row beside
#          encoding/json in the same run (medians of COUNT runs, min–max);
#   instr  instructions per payload and per record of an SQS event,
#          counted by valgrind's cachegrind, which load on the machine does
#          not change (skipped without valgrind);
#   sizes  the size of a small program per decoder, built for linux/amd64
#          and linux/arm64, against the one built with encoding/json, and
#          what each links: assembly, cgo, unsafe, sonic's JIT;
#   first  the first decode of an order in a fresh process (and the second,
#          for comparison), and the time of package initialisation before
#          main (GODEBUG=inittrace=1), each program run RUNS times, in turns.
#
#   scripts/bench-decoders.sh                  # all of it, about 4 minutes
#   STEPS="sizes first" scripts/bench-decoders.sh
#
# Environment: STEPS (default "env diff bench instr sizes first"), BENCHTIME
# (200ms), COUNT (5), BENCH (the -bench pattern, default "."), RUNS (20),
# OUT (default .tmp/bench-decoders, where the raw outputs stay). The
# machine is shared: compare rows within one run, and quote the load
# average with the figures. docs/14-event-decoder.md has the latest results.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
mod=bench/decoders
out=${OUT:-$root/.tmp/bench-decoders}
steps=${STEPS:-"env diff bench instr sizes first"}
benchtime=${BENCHTIME:-200ms}
count=${COUNT:-5}
pattern=${BENCH:-.}
runs=${RUNS:-20}
programs="std jsonv2 goccy sonic batch"

command -v go >/dev/null || { echo "bench-decoders: Go is not installed" >&2; exit 1; }
mkdir -p "$out"

has_step() { case " $steps " in *" $1 "*) return 0 ;; esac; return 1; }
load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime; }

if has_step env; then
	echo "## Environment"
	echo
	echo "- $(go version)"
	echo "- $(uname -sm), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //')"
	echo "- load average at the start: $(load)"
	echo "- $(cd "$mod" && go list -m -f '{{.Path}} {{.Version}}' github.com/go-json-experiment/json github.com/goccy/go-json github.com/bytedance/sonic github.com/aws/aws-lambda-go | paste -sd';' | sed 's/;/; /g')"
	echo
fi

if has_step diff; then
	echo "## Differences from encoding/json"
	echo
	echo '`go test -count=1 -run TestDifferential -v .` in bench/decoders; each difference is in '"$out/diff.txt"'.'
	echo
	(cd "$mod" && go test -count=1 -run TestDifferential -v .) >"$out/diff.txt" 2>&1 || {
		cat "$out/diff.txt" >&2
		echo "bench-decoders: the differential test failed" >&2
		exit 1
	}
	grep -a '^ *|' "$out/diff.txt" | sed 's/^ *//'
	echo
fi

# summarize reads `go test -bench` output and prints, for each benchmark
# of the group ($1, such as BenchmarkPayload) and each unit of $2 (space
# separated), the median of the runs with their min–max, and the ratio of
# the first unit's median to that of the row named by $3 in the same
# subgroup (the part of the name before the last slash). With $4, the
# row of that name is subtracted from the first unit before the ratio (a
# floor that every row pays).
summarize() {
	awk -v group="$1" -v units="$2" -v base="$3" -v floor="${4:-}" '
	function commas(x,   s, neg, ip, fp, rest) {
		neg = x < 0; if (neg) x = -x
		s = sprintf(x >= 100 || x == int(x) ? "%.0f" : (x >= 10 ? "%.1f" : "%.2f"), x)
		ip = s; fp = ""; rest = ""
		if (index(s, ".")) { ip = substr(s, 1, index(s, ".") - 1); fp = substr(s, index(s, ".")) }
		while (length(ip) > 3) { rest = "," substr(ip, length(ip) - 2) rest; ip = substr(ip, 1, length(ip) - 3) }
		return (neg ? "-" : "") ip rest fp
	}
	function median(key,   n, v, i, j, t) {
		n = split(vals[key], v, " ")
		for (i = 2; i <= n; i++) { t = v[i] + 0; for (j = i - 1; j >= 1 && v[j] + 0 > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
		lo[key] = v[1]; hi[key] = v[n]
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	$1 ~ "^" group "/" {
		name = $1; sub(/-[0-9]+$/, "", name); sub("^" group "/", "", name)
		if (!(name in seen)) { seen[name] = 1; order[++rows] = name }
		for (i = 3; i < NF; i += 2) vals[name SUBSEP $(i + 1)] = vals[name SUBSEP $(i + 1)] " " $i
	}
	END {
		nu = split(units, u, " ")
		printf "| benchmark |"; for (k = 1; k <= nu; k++) printf " %s |", u[k]
		printf " ratio to %s |", base
		if (floor != "") printf " ratio to %s, each less %s |", base, floor
		printf "\n|---|"; for (k = 1; k <= nu; k++) printf "---:|"; printf floor != "" ? "---:|---:|\n" : "---:|\n"
		for (r = 1; r <= rows; r++) for (k = 1; k <= nu; k++) { key = order[r] SUBSEP u[k]; if (key in vals) med[key] = median(key) }
		for (r = 1; r <= rows; r++) {
			name = order[r]; sg = name; sub(/\/[^\/]*$/, "", sg)
			printf "| %s |", name
			for (k = 1; k <= nu; k++) {
				key = name SUBSEP u[k]
				if (!(key in med)) { printf " |"; continue }
				if (k == 1) printf " %s (%s–%s) |", commas(med[key]), commas(lo[key]), commas(hi[key])
				else printf " %s |", commas(med[key])
			}
			b = sg "/" base SUBSEP u[1]; me = name SUBSEP u[1]; f = sg "/" floor SUBSEP u[1]
			if (!(b in med) || !(me in med)) { printf floor != "" ? " | |\n" : " |\n"; continue }
			x = med[me]; y = med[b]
			printf u[1] == "MB/s" ? " %.2f× |" : " %.2f |", x / y
			if (floor == "") { printf "\n"; continue }
			if (!(f in med) || name == sg "/" floor) { printf " |\n"; continue }
			printf " %.2f |\n", (x - med[f]) / (y - med[f])
		}
	}'
}

if has_step bench; then
	echo "## Speed"
	echo
	echo "\`go test -c\` in bench/decoders, then $count runs of \`decoders.test -test.run '^\$' -test.bench '$pattern' -test.benchtime $benchtime\`, so that every row is measured once per run and load spreads over all of them; medians of the $count runs (min–max)."
	echo
	(cd "$mod" && go test -c -o "$out/decoders.test" .)
	before=$(load)
	: >"$out/bench.txt"
	for _ in $(seq 1 "$count"); do
		(cd "$out" && ./decoders.test -test.run '^$' -test.bench "$pattern" -test.benchtime "$benchtime") >>"$out/bench.txt" 2>&1 || {
			cat "$out/bench.txt" >&2
			exit 1
		}
	done
	echo "Load average $before before, $(load) after."
	echo
	echo "One payload into a new value (\`BenchmarkPayload\`; ratio of ns/op):"
	echo
	summarize BenchmarkPayload "ns/op B/op allocs/op" encoding-json <"$out/bench.txt"
	echo
	echo "End to end through \`Function.Invoke\`, an SQS event of 1,000 records, per record (\`BenchmarkInvoke\`; ratios of ns/record, then of ns/record less the floor's):"
	echo
	summarize BenchmarkInvoke "ns/record B/record allocs/record" encoding-json floor <"$out/bench.txt"
	echo
	echo "A whole event of 1,000 records (\`BenchmarkEvent\`; ratio of MB/s):"
	echo
	summarize BenchmarkEvent "MB/s ns/record B/record allocs/record" encoding-json <"$out/bench.txt"
	echo
fi

if has_step instr; then
	echo "## Instructions"
	echo
	if ! command -v valgrind >/dev/null; then
		echo "Skipped: valgrind is not installed."
		echo
	else
		echo "BenchmarkPayload's rows under \`GOGC=off GOMAXPROCS=1 valgrind --tool=cachegrind --cache-sim=no\`, with \`-test.benchtime\` 2000x and 4000x: the difference of the two counts (\"I refs\") over 2,000, so that everything but the decodes cancels out."
		echo
		[ -x "$out/decoders.test" ] && has_step bench || (cd "$mod" && go test -c -o "$out/decoders.test" .)
		# instructions NAME N1 N2 DIVISOR prints the instructions of the
		# benchmark NAME (a -test.bench pattern) run N2 times less those of
		# N1 times, over DIVISOR.
		instructions() {
			local n refs=()
			for n in "$2" "$3"; do
				refs+=("$(cd "$out" && GOGC=off GOMAXPROCS=1 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
					./decoders.test -test.run '^$' -test.bench "$1" -test.benchtime "${n}x" 2>&1 |
					sed -n 's/.*I *refs: *//p' | tr -d ,)")
			done
			echo $(((refs[1] - refs[0]) / $4))
		}
		row() { echo "| $1 | $2 | $(echo "$3" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta') | $(awk -v a="$3" -v b="$4" 'BEGIN { printf "%.2f", a / b }') |"; }
		decoders="encoding-json batch jsonv2 jsonv2-v1api goccy sonic sonic-std"
		echo "| payload | decoder | instructions per payload | ratio to encoding-json |"
		echo "|---|---|---:|---:|"
		for k in order doc-map; do
			base=
			for d in $decoders; do
				per=$(instructions "^BenchmarkPayload\$/^$k\$/^$d\$" 2000 4000 2000)
				[ -n "$base" ] || base=$per
				row "$k" "$d" "$per" "$base"
			done
		done
		echo
		echo "BenchmarkEvent's SQS rows likewise, with 2x and 4x: 2 events of 1,000 records between the two."
		echo
		echo "| event | decoder | instructions per record | ratio to encoding-json |"
		echo "|---|---|---:|---:|"
		base=
		for d in $decoders; do
			per=$(instructions "^BenchmarkEvent\$/^sqs\$/^$d\$" 2 4 2000)
			[ -n "$base" ] || base=$per
			row sqs "$d" "$per" "$base"
		done
		echo
	fi
fi

# links describes what the program $1 links for GOARCH $2 beyond the
# standard library, its own module and aws-lambda-go: assembly files, cgo
# files, packages that import unsafe, and sonic's JIT.
links() {
	(cd "$mod" && CGO_ENABLED=0 GOOS=linux GOARCH=$2 go list -deps \
		-f '{{if not .Standard}}{{.ImportPath}} {{len .SFiles}} {{len .CgoFiles}} {{range .Imports}}{{if eq . "unsafe"}}unsafe{{end}}{{end}}{{end}}' \
		"./programs/$1") |
		awk '$1 !~ /^github.com\/(seed-45ee126e\/batch\/bench|aws\/aws-lambda-go)/ {
			pkgs++; s += $2; c += $3; if ($4 == "unsafe") u++
			if ($1 ~ /^github.com\/seed-45ee126e\/batch\/internal/) own++
			if ($1 == "github.com/bytedance/sonic/internal/jit") jit = 1
		}
		END { printf "%d package%s, %d assembly files, %d cgo files, %d importing unsafe%s", pkgs, pkgs == 1 ? "" : "s", s, c, u, jit ? ", JIT (internal/jit)" : "" }'
}

if has_step sizes; then
	echo "## Binary size"
	echo
	echo "\`CGO_ENABLED=0 GOOS=linux GOARCH=\$arch go build -trimpath -ldflags='-s -w' ./programs/\$p\` in bench/decoders; each program decodes an order from an SQS message's body (\`internal/firstdecode\`)."
	echo
	echo "| program | decoder | linux/amd64, bytes | over std | linux/arm64, bytes | over std | what it links beyond std and aws-lambda-go (amd64; arm64) |"
	echo "|---|---|---:|---:|---:|---:|---|"
	declare -A size
	for arch in amd64 arm64; do
		for p in $programs; do
			(cd "$mod" && CGO_ENABLED=0 GOOS=linux GOARCH=$arch go build -trimpath -ldflags='-s -w' -o "$out/$arch/$p" "./programs/$p")
			size[$arch.$p]=$(stat -c %s "$out/$arch/$p")
		done
	done
	for p in $programs; do
		case $p in
		std) what=encoding/json ;;
		jsonv2) what="go-json-experiment/json" ;;
		goccy) what="goccy/go-json" ;;
		sonic) what="sonic" ;;
		batch) what="the library's payload decoder (internal/eventjson), encoding/json behind it" ;;
		esac
		row="| $p | $what |"
		for arch in amd64 arm64; do
			s=${size[$arch.$p]} b=${size[$arch.std]}
			row="$row $(echo "$s" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta') | $(awk -v d=$((s - b)) 'BEGIN { printf "%+.0f KiB", d / 1024; if (d >= 1048576) printf " (%.2f MiB)", d / 1048576 }') |"
		done
		echo "$row $(links "$p" amd64); $(links "$p" arm64) |"
	done
	echo
fi

if has_step first; then
	echo "## First decode in a fresh process"
	echo
	echo "Each program, built for this machine as above, run $runs times in turns with GODEBUG=inittrace=1; median (min–max) of the first decode of an order, median of the second, and median of the time the program's packages took to initialise before main (the sum of inittrace's clock times), in µs."
	echo
	host="$out/host"
	mkdir -p "$host"
	for p in $programs; do
		(cd "$mod" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$host/$p" "./programs/$p")
	done
	# name|command, run in turns so that load spreads over all of them
	variants=("std|$host/std" "jsonv2|$host/jsonv2" "goccy|$host/goccy" "sonic|$host/sonic"
		"sonic -std|$host/sonic -std" "sonic, SONIC_USE_OPTDEC=1|env SONIC_USE_OPTDEC=1 $host/sonic"
		"batch (compiles its plan first)|$host/batch")
	rm -f "$out"/first.*
	before=$(load)
	for _ in $(seq 1 "$runs"); do
		for i in "${!variants[@]}"; do
			cmd=${variants[$i]#*|}
			GODEBUG=inittrace=1 $cmd 2>"$out/inittrace" >>"$out/first.$i"
			# the sum of "N ms clock" over the packages
			awk '/^init / { for (f = 1; f < NF; f++) if ($(f + 1) == "ms" && $(f + 2) == "clock,") t += $f }
				END { printf "init_ns=%.0f\n", t * 1e6 }' "$out/inittrace" >>"$out/first.$i"
		done
	done
	echo "Load average $before before, $(load) after."
	echo
	echo "| program | first decode, µs | second decode, µs | package init, µs |"
	echo "|---|---:|---:|---:|"
	for i in "${!variants[@]}"; do
		stats() {
			sed -n "s/.*$1=\([0-9]*\).*/\1/p" "$out/first.$i" | sort -n |
				awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
					if (full) printf "%.0f (%.0f–%.0f)", m / 1000, v[1] / 1000, v[NR] / 1000; else printf "%.1f", m / 1000 }' full="$2"
		}
		echo "| ${variants[$i]%%|*} | $(stats first_ns 1) | $(stats second_ns "") | $(stats init_ns "" | sed 's/\.[0-9]*$//') |"
	done
	echo
fi
