#!/bin/sh
# The whole test suite: unit tests in tests/ and every notebook in notebooks/
# executed by nbval (in the ci profile) with its outputs compared.
# Usage: scripts/run-tests.sh [PYTHON] [pytest arguments...]
python="${1:-python3}"
[ $# -gt 0 ] && shift
export D2L_PROFILE="${D2L_PROFILE:-ci}" TQDM_DISABLE=1 PYDEVD_DISABLE_FILE_VALIDATION=1
status=0
"$python" -m pytest tests notebooks --nbval --nbval-current-env \
  --nbval-sanitize-with tests/nbval-sanitize.cfg -p no:cacheprovider "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "error: pytest collected no tests; tests/ and notebooks/ should hold some." >&2
  exit 1
fi
exit "$status"
