# shellcheck shell=bash
# Helpers to install, start and stop moto_server, the SQS-compatible server
# the integration tests of sqsdelete run against. Sourced by scripts/test.sh.

ensure_moto() {
	# The machine image ships moto 5.2.1 in its Python; moto_server is its
	# entry point, and python3 -m moto.server the same server when the entry
	# point is not on PATH. pip is the last resort, for machines that have a
	# package index (this project's machines have none).
	if command -v moto_server >/dev/null 2>&1; then
		MOTO_CMD=(moto_server)
		return 0
	fi
	if python3 -c 'import moto.server' >/dev/null 2>&1; then
		MOTO_CMD=(python3 -m moto.server)
		return 0
	fi
	echo "sqs-server: moto not found; trying pip install 'moto[server]==5.2.1'" >&2
	if python3 -m pip install --quiet 'moto[server]==5.2.1' >&2 && command -v moto_server >/dev/null 2>&1; then
		MOTO_CMD=(moto_server)
		return 0
	fi
	echo "sqs-server: moto 5.2.1 is not installed and could not be installed; the SQS integration tests need it" >&2
	return 1
}

start_moto() {
	local port
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
	MOTO_LOG=$(mktemp)
	"${MOTO_CMD[@]:-moto_server}" -H 127.0.0.1 -p "$port" >"$MOTO_LOG" 2>&1 &
	MOTO_PID=$!
	for _ in $(seq 1 100); do
		if curl -fsS -o /dev/null "http://127.0.0.1:$port/moto-api/" 2>/dev/null; then
			export BATCH_SQS_ENDPOINT="http://127.0.0.1:$port"
			echo "sqs-server: moto_server listening on $BATCH_SQS_ENDPOINT" >&2
			return 0
		fi
		if ! kill -0 "$MOTO_PID" 2>/dev/null; then break; fi
		sleep 0.1
	done
	echo "sqs-server: moto_server did not start:" >&2
	cat "$MOTO_LOG" >&2
	return 1
}

stop_moto() {
	if [ -n "${MOTO_PID:-}" ]; then
		kill "$MOTO_PID" 2>/dev/null || true
		wait "$MOTO_PID" 2>/dev/null || true
	fi
	[ -n "${MOTO_LOG:-}" ] && rm -f "$MOTO_LOG"
}
