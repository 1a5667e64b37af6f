#!/usr/bin/env bash
# One command: set up everything on a fresh Debian machine, build the sample school, say how to open it.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
[ -x /usr/bin/chromium ] || missing+=(chromium)   # for the browser tests
if ((${#missing[@]})); then
  echo "quickstart: installing Debian packages: ${missing[*]}"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'

.venv/bin/amentor build
cat <<MSG

The sample school is built in site/.
  Preview it:   .venv/bin/amentor serve      then open http://127.0.0.1:8000/
  Run tests:    .venv/bin/python -m pytest
MSG
