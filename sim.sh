#!/usr/bin/env bash
# One entry point for a fresh machine. Creates (or reuses) the virtual environment .venv with a
# Python >= 3.12 that it finds by itself, installs the project into it when pyproject.toml has
# changed, then:
#   ./sim.sh test            lint (ruff), the whole test suite and the notebooks (pytest, nbmake)
#   ./sim.sh ARGS...         the `sim` command line, e.g. ./sim.sh run baseline, in the folder
#                            it is called from (so are its paths and results/)
# Set PYTHON=/path/to/python3.12 to choose the interpreter yourself.
set -euo pipefail
caller=$(pwd)  # `sim` runs here, so that paths given to it are the caller's
cd "$(dirname "$0")"
project=$(pwd)

is_new_enough() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }

find_python() {
    local candidates=()
    [ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
    candidates+=(python3.14 python3.13 python3.12 python3 python)
    # pyenv installs that are not selected (its shims refuse to run them), and common prefixes
    local root
    root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
    for dir in "$root"/versions/3.1[2-9]* /usr/local/bin /opt/homebrew/bin /usr/bin; do
        for exe in "$dir"/bin/python3 "$dir"/python3.1[2-9]; do
            [ -x "$exe" ] && candidates+=("$exe")
        done
    done
    for c in "${candidates[@]}"; do
        if is_new_enough "$c"; then command -v "$c"; return 0; fi
    done
    return 1
}

venv=.venv
if ! { [ -x "$venv/bin/python" ] && is_new_enough "$venv/bin/python"; }; then
    if ! python=$(find_python); then
        echo "sim.sh: no Python >= 3.12 found (mesa 3.5 needs it)." >&2
        echo "  Install one: https://www.python.org/downloads/ , 'apt install python3.12 python3.12-venv'," >&2
        echo "  'brew install python@3.12' or 'pyenv install 3.12'; or set PYTHON=/path/to/python3.12." >&2
        exit 1
    fi
    echo "sim.sh: creating $venv with $python ($("$python" --version))" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv"
fi

# The dependencies come pinned from requirements.lock (results are bit-for-bit only with the same
# numpy and friends); the project itself is installed on top, editable, without dependencies.
stamp="$venv/.installed-$(cat pyproject.toml requirements.lock | cksum | cut -d' ' -f1)"
if [ ! -f "$stamp" ]; then
    echo "sim.sh: installing the locked dependencies and the project into $venv" >&2
    "$venv/bin/python" -m pip install --quiet --upgrade pip 2>/dev/null || true
    "$venv/bin/python" -m pip install --quiet -r requirements.lock
    "$venv/bin/python" -m pip install --quiet --no-deps -e .
    rm -f "$venv"/.installed-*
    touch "$stamp"
fi

if [ "${1:-}" = "test" ]; then
    shift
    "$venv/bin/ruff" check sim tests benchmarks experiments
    "$venv/bin/ruff" format --check sim tests benchmarks experiments
    exec "$venv/bin/python" -m pytest "$@"
fi
cd "$caller"
exec "$project/$venv/bin/sim" "$@"
