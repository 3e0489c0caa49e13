#!/usr/bin/env bash
# Checks the SAM templates of examples/, as scripts/test.sh does:
#   1. cfn-lint, with warnings as failures;
#   2. the rules of scripts/templatecheck (retry caps, on-failure
#      destinations and their permissions, visibility timeouts, dead-letter
#      queues, ReportBatchItemFailures, …), and its own tests, which run the
#      broken templates of scripts/templatecheck/testdata through it;
#   3. a build of every function through its Makefile, the way `sam build`
#      runs it, with a check of the binary (linux, the template's
#      architecture, lambda.norpc, stripped) and its size.
# Needs Python with cfn-lint and aws-sam-translator (the machine image has
# both), Go and make. PYTHON picks the interpreter (default python3).
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if ! "$python" -c 'import cfnlint.runner, samtranslator' 2>/dev/null; then
	echo "templates.sh: $python cannot import cfn-lint and the SAM translator; install them with:" >&2
	echo "  $python -m pip install cfn-lint aws-sam-translator" >&2
	exit 1
fi
command -v make >/dev/null || { echo "templates.sh: make is not installed (the examples build through a Makefile, as sam build does)" >&2; exit 1; }
export PYTHONDONTWRITEBYTECODE=1

templates=(examples/*/template.yaml)
fail=0

echo "== cfn-lint ${#templates[@]} templates (warnings fail)"
"$python" -c 'import sys, cfnlint.runner; sys.exit(cfnlint.runner.main())' \
	--non-zero-exit-code warning -- "${templates[@]}" || fail=1

echo "== template rules (scripts/templatecheck)"
"$python" scripts/templatecheck/templatecheck.py "${templates[@]}" || fail=1
"$python" -m unittest discover -s scripts/templatecheck || fail=1

echo "== each function built as sam build builds it"
"$python" scripts/templatecheck/sambuild.py "${templates[@]}" || fail=1

exit $fail
