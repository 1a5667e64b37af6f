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
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]' --config-settings editable_mode=compat  # a plain path: faster start

# Demo logins for the fictional sample school: a family and the headteacher. Passwords are
# shown once and never stored, so each run resets these two (the old ones stop working).
# (Each in its own $(...): a failure stops the script, which a list in one $(...) would hide.)
family=$(.venv/bin/amentor logins issue --pupil HF1000 --guardian carer)
staff=$(.venv/bin/amentor logins issue --staff head)
logins=$(printf '%s\n%s' "$family" "$staff")
.venv/bin/amentor build
cat <<MSG

The sample school is built in site/ (every folder encrypted).
  1. Preview it:  .venv/bin/amentor serve      then open http://127.0.0.1:8000/
  2. Log in with one of these demo logins (type the code and the password):
$(printf '%s\n' "$logins" | sed 's/^/       /')
  Run the tests:  .venv/bin/python -m pytest
MSG
