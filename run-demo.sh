#!/usr/bin/env bash
# Set everything up and run the portal on the embedded demo authority.
#   ./run-demo.sh                 medium demo authority on http://localhost:8501
#   DEMO_SIZE=small ./run-demo.sh a quicker, smaller authority
#   PORT=8600 ./run-demo.sh       another port
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup-python.sh requirements.txt

size="${DEMO_SIZE:-medium}"
db=$(python -c "from data_access.config import load_config; print(load_config().demo_database)")
if [ ! -f "$db" ] || [ "$(cat "$db.size" 2>/dev/null)" != "$size" ]; then
  echo "==> Building the $size demo authority (synthetic data) at $db"
  python -m data_access demo --size "$size"
  echo "$size" > "$db.size"
fi
pointer=$(python -c "from data_access.config import load_config; print(load_config().cache_folder / 'CURRENT')")
if [ ! -f "$pointer" ] || [ "$db" -nt "$pointer" ]; then
  echo "==> Extracting the demo database into the Parquet cache"
  python -m data_access refresh
fi
# Sign-in: a random cookie-signing key in .streamlit/secrets.toml (git-ignored) and the four demo
# accounts, tied to real workers of the demo authority (passwords FOR THE DEMO ONLY).
python -m auth init-secrets
users=$(python -c "from auth.settings import load_settings; print(load_settings().credentials)")
if [ ! -f "$users" ] || [ "$pointer" -nt "$users" ]; then
  python -m auth demo-users
fi
echo "==> Starting the portal on http://localhost:${PORT:-8501}"
exec python -m ui.serve --server.port "${PORT:-8501}" --server.headless true
