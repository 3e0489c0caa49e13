# shellcheck shell=bash
# Helpers to install, start and stop kinesalite, the Kinesis-compatible
# server the runner's Kinesis tests (cmd/batchlocal) run against. Sourced
# by scripts/test.sh, after scripts/sqs-server.sh.

kinesalite_version=3.3.3

ensure_kinesalite() {
	local dir="$root/.tools/kinesalite"
	if ! command -v node >/dev/null 2>&1; then
		echo "kinesis-server: node is not installed; the Kinesis tests need Node.js 20 or later to run kinesalite" >&2
		return 1
	fi
	if [ -f "$dir/node_modules/kinesalite/package.json" ] &&
		grep -q "\"version\": \"$kinesalite_version\"" "$dir/node_modules/kinesalite/package.json"; then
		return 0
	fi
	# npm 11 on Node 20 installs it without native builds (prebuilt binaries).
	echo "== installing kinesalite $kinesalite_version into .tools/kinesalite" >&2
	if ! npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "kinesalite@$kinesalite_version" >&2; then
		echo "kinesis-server: kinesalite could not be installed with npm; the Kinesis tests need it" >&2
		return 1
	fi
}

start_kinesalite() {
	local port
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
	KINESALITE_LOG=$(mktemp)
	# scripts/kinesalite.js binds to 127.0.0.1: kinesalite's own command
	# line would listen on every interface.
	node "$root/scripts/kinesalite.js" "$port" >"$KINESALITE_LOG" 2>&1 &
	KINESALITE_PID=$!
	for _ in $(seq 1 100); do
		if curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; then
			export BATCH_KINESIS_ENDPOINT="http://127.0.0.1:$port"
			echo "kinesis-server: kinesalite listening on $BATCH_KINESIS_ENDPOINT" >&2
			return 0
		fi
		if ! kill -0 "$KINESALITE_PID" 2>/dev/null; then break; fi
		sleep 0.1
	done
	echo "kinesis-server: kinesalite did not start:" >&2
	cat "$KINESALITE_LOG" >&2
	return 1
}

stop_kinesalite() {
	if [ -n "${KINESALITE_PID:-}" ]; then
		kill "$KINESALITE_PID" 2>/dev/null || true
		wait "$KINESALITE_PID" 2>/dev/null || true
	fi
	[ -n "${KINESALITE_LOG:-}" ] && rm -f "$KINESALITE_LOG"
}
