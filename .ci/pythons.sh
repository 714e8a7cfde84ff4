#!/usr/bin/env bash
# Smoke test on every supported Python (3.10-3.13) that this machine has:
# build the wheel once, install it in a fresh virtualenv per version, then
# import the package with warnings as errors and run index + query on notes/.
# The full test suite runs once, on the CI's own Python (see .ci/run).
set -uo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip wheel --quiet --no-deps --wheel-dir "$work/dist" . || exit 1
wheel=$(ls "$work"/dist/notesearch-*.whl)

find_python() {
  local v=$1 candidate
  for candidate in "$(command -v "python$v" 2>/dev/null)" \
      "$(pyenv root 2>/dev/null)"/versions/"$v".*/bin/"python$v"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c 'pass' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

failed=0
tested=0
for v in ${NOTESEARCH_PYTHONS:-3.10 3.11 3.12 3.13}; do
  if ! py=$(find_python "$v"); then
    echo "python $v: not on this machine, skipped"
    continue
  fi
  venv="$work/venv-$v"
  if "$py" -m venv "$venv" \
      && "$venv/bin/pip" install --quiet "$wheel" \
      && "$venv/bin/python" -W error -c 'import notesearch, notesearch.cli, notesearch.vault, notesearch.engine.build, notesearch.engine.search' \
      && "$venv/bin/notesearch" --version >/dev/null \
      && "$venv/bin/notesearch" index --quiet --notes notes --index "$work/index-$v" \
      && "$venv/bin/notesearch" query "spot training" --tag gotcha --notes notes \
           --index "$work/index-$v" --format paths | grep -qx 'notes/sagemaker/sagemaker-training.md'; then
    echo "python $v: ok ($("$py" -c 'import sys; print(sys.version.split()[0])'))"
    tested=$((tested + 1))
  else
    echo "python $v: FAILED"
    failed=1
  fi
done
echo "supported Pythons checked: $tested"
exit $failed
