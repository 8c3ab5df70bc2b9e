# Sourced by run-demo.sh and run-tests.sh: create .venv if needed and install the requirements
# file given as $1 when it changed since the last install. Leaves the venv activated.
req="${1:-requirements.txt}"
py="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> Creating the Python virtual environment (.venv)"
  "$py" -m venv .venv
fi
# shellcheck disable=SC1091
source .venv/bin/activate
stamp=".venv/.installed-$(basename "$req")"
want=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> Installing Python packages from $req"
  python -m pip install --quiet --disable-pip-version-check --upgrade pip
  python -m pip install --quiet --disable-pip-version-check -r "$req"
  echo "$want" > "$stamp"
fi
