#!/usr/bin/env bash
# run.sh executes notebooks headless with the GoNB kernel, each into a
# temporary copy that is checked and then thrown away: a run (CI's
# included) changes no tracked file. With --update the checked copy
# replaces the notebook, without the volatile per-cell execution
# timestamps, so the committed notebooks carry the outputs of this command
# and a diff shows only what the cells printed and drew.
#
#   notebooks/run.sh                          # check every notebooks/*.ipynb
#   notebooks/run.sh colors.ipynb             # only these
#   notebooks/run.sh --update [NOTEBOOK ...]  # and refresh their outputs
#
# A notebook fails when any cell errors (compile error, panic, non-zero exit)
# or when its outputs hold fewer images (image/png, image/svg+xml, or inline
# <svg>/<img> HTML) than its metadata declares:
#
#   "metadata": {"somgraph": {"min_images": 5}, ...}
#
# Every notebook must declare min_images (0 is allowed, but say so).
# A failing notebook is left unchanged on disk; the failed cell's source and
# output are printed. check.py beside this script does the checks.
# Exit status: 0 all passed, 1 some failed, 2 bad usage or missing tools.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cell_timeout=${NOTEBOOK_CELL_TIMEOUT:-600} # seconds per cell

usage() { printf 'usage: notebooks/run.sh [--update] [NOTEBOOK.ipynb ...]\n' >&2; exit 2; }
die() { printf 'notebooks/run.sh: %s\n' "$*" >&2; exit 2; }

case "${1:-}" in -h | --help) usage ;; esac
update=0
if [ "${1:-}" = --update ]; then
	update=1
	shift
fi

# The kernel compiles cells with go and formats them with goimports.
command -v go >/dev/null || die "go is not on PATH (add /usr/local/go/bin)"
PATH=$(go env GOPATH)/bin:$PATH
command -v goimports >/dev/null || die "goimports is not on PATH; run scripts/install-gonb.sh"
command -v jupyter >/dev/null ||
	die "jupyter is not on PATH; install it (Debian: apt-get install jupyter-nbconvert python3-ipykernel jupyter-client)"
# (grep the saved list: with pipefail, grep -q closing the pipe early can fail it)
kernels=$(jupyter kernelspec list 2>&1) || die "jupyter kernelspec list failed: $kernels"
grep -qw gonb <<<"$kernels" ||
	die "the Jupyter kernel \"gonb\" is not installed; run scripts/install-gonb.sh"
# check.py uses the standard library only; prefer the Python that Jupyter
# itself runs on.
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3) || die "python3 is not on PATH"

notebooks=()
if [ $# -gt 0 ]; then
	for arg in "$@"; do
		nb=$arg
		[ -f "$nb" ] || nb=$here/$arg
		[ -f "$nb" ] || die "no such notebook: $arg"
		case "$nb" in *.ipynb) ;; *) die "not a notebook (want .ipynb): $arg" ;; esac
		notebooks+=("$(cd "$(dirname "$nb")" && pwd)/$(basename "$nb")")
	done
else
	shopt -s nullglob
	notebooks=("$here"/*.ipynb)
	shopt -u nullglob
	[ ${#notebooks[@]} -gt 0 ] || die "no notebooks in $here"
fi

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
failed=()
for nb in "${notebooks[@]}"; do
	name=$(basename "$nb")
	out=$workdir/$name
	log=$workdir/${name%.ipynb}.log
	start=$(date +%s)
	printf '%-28s ' "$name"
	# Execute into a copy. The kernel starts in the notebook's own folder,
	# which the notebooks' first cell uses to find the somgraph module.
	# allow_errors keeps a failed cell's output so check.py can show it; the
	# copy replaces the notebook only when every check passes.
	if ! jupyter nbconvert --to notebook --execute \
		--ExecutePreprocessor.kernel_name=gonb \
		--ExecutePreprocessor.timeout="$cell_timeout" \
		--ExecutePreprocessor.allow_errors=True \
		--output "$out" "$nb" >"$log" 2>&1; then
		printf 'FAIL (%ds): nbconvert failed (the kernel died or a cell timed out)\n' $(($(date +%s) - start))
		# Drop GoNB's own info lines (I<date> ...).
		grep -v '^I[0-9]\{4\} ' "$log" | tail -n 40 | sed 's/^/    /'
		failed+=("$name")
		continue
	fi
	if ! result=$("$py" "$here/check.py" "$out" 2>&1); then
		printf 'FAIL (%ds)\n' $(($(date +%s) - start))
		printf '%s\n' "$result" | sed 's/^/    /'
		failed+=("$name")
		continue
	fi
	if [ "$update" = 1 ]; then
		# Drop the per-cell execution timestamps, which change on every run.
		"$py" - "$out" <<'PY'
import json, sys
path = sys.argv[1]
with open(path) as f:
    nb = json.load(f)
for cell in nb.get("cells", []):
    cell.get("metadata", {}).pop("execution", None)
with open(path, "w") as f:
    json.dump(nb, f, indent=1, ensure_ascii=False)
    f.write("\n")
PY
		cat "$out" >"$nb"
	fi
	printf 'ok   (%ds) %s\n' $(($(date +%s) - start)) "$result"
done

printf 'notebooks: %d passed, %d failed\n' $((${#notebooks[@]} - ${#failed[@]})) ${#failed[@]}
if [ ${#failed[@]} -gt 0 ]; then
	printf 'notebooks/run.sh: failed: %s\n' "${failed[*]}" >&2
	exit 1
fi
