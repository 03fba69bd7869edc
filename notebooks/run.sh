#!/usr/bin/env bash
# run.sh executes notebooks headless with the GoNB kernel, in place, so the
# committed notebooks carry the outputs this command produced.
#
#   notebooks/run.sh                 # every notebooks/*.ipynb
#   notebooks/run.sh colors.ipynb    # only these
#
# A notebook fails when any cell errors (compile error, panic, non-zero exit)
# or when its outputs hold fewer images (image/png, image/svg+xml, or inline
# <svg>/<img> HTML) than its metadata declares:
#
#   "metadata": {"somgraph": {"min_images": 5}, ...}
#
# Every notebook must declare min_images (0 is allowed, but say so).
# A failing notebook is left unchanged on disk; the kernel's log is printed.
# Exit status: 0 all passed, 1 some failed, 2 bad usage or missing tools.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cell_timeout=${NOTEBOOK_CELL_TIMEOUT:-600} # seconds per cell

usage() { printf 'usage: notebooks/run.sh [NOTEBOOK.ipynb ...]\n' >&2; exit 2; }
die() { printf 'notebooks/run.sh: %s\n' "$*" >&2; exit 2; }

case "${1:-}" in -h | --help) usage ;; esac

command -v jupyter >/dev/null ||
	die "jupyter is not on PATH; install it (Debian: apt-get install jupyter-nbconvert python3-ipykernel jupyter-client)"
# (grep the saved list: with pipefail, grep -q closing the pipe early can fail it)
kernels=$(jupyter kernelspec list 2>&1) || die "jupyter kernelspec list failed: $kernels"
grep -qw gonb <<<"$kernels" ||
	die "the Jupyter kernel \"gonb\" is not installed; run scripts/install-gonb.sh"
# The notebooks' JSON is read with the standard library only; prefer the
# Python that Jupyter itself runs on.
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

# check_images NOTEBOOK prints "images=N want=M" and fails when N < M or the
# notebook declares no metadata.somgraph.min_images.
check_images() {
	"$py" - "$1" <<'EOF'
import json, sys

path = sys.argv[1]
with open(path) as f:
    nb = json.load(f)
want = nb.get("metadata", {}).get("somgraph", {}).get("min_images")
if not isinstance(want, int) or want < 0:
    sys.exit(f'{path}: declare the images it must show: "metadata": {{"somgraph": {{"min_images": N}}}}')
images = 0
for cell in nb.get("cells", []):
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            sys.exit(f"{path}: a cell output is an error: {out.get('ename')}: {out.get('evalue')}")
        data = out.get("data", {})
        if "image/png" in data or "image/svg+xml" in data:
            images += 1
            continue
        html = data.get("text/html", "")
        html = "".join(html) if isinstance(html, list) else html
        # GoNB's DisplaySvg sends SVG as HTML; DisplayHTML may embed PNGs.
        if "<svg" in html or "<img" in html:
            images += 1
print(f"images={images} want>={want}")
if images < want:
    sys.exit(f"{path}: {images} images in the outputs, want at least {want}")
EOF
}

logdir=$(mktemp -d)
trap 'rm -rf "$logdir"' EXIT
failed=()
for nb in "${notebooks[@]}"; do
	name=$(basename "$nb")
	log=$logdir/${name%.ipynb}.log
	start=$(date +%s)
	printf '%-28s ' "$name"
	# nbconvert starts the kernel in the notebook's folder, which the
	# notebooks' first cell uses to find the somgraph module.
	if ! jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.kernel_name=gonb \
		--ExecutePreprocessor.timeout="$cell_timeout" \
		"$nb" >"$log" 2>&1; then
		printf 'FAIL (%ds): a cell failed\n' $(($(date +%s) - start))
		# Drop GoNB's own info lines (I<date> ...): the cell error is below them.
		grep -v '^I[0-9]\{4\} ' "$log" | tail -n 40 | sed 's/^/    /'
		failed+=("$name")
		continue
	fi
	if ! result=$(check_images "$nb" 2>&1); then
		printf 'FAIL (%ds): %s\n' $(($(date +%s) - start)) "$result"
		failed+=("$name")
		continue
	fi
	printf 'ok   (%ds) %s\n' $(($(date +%s) - start)) "$result"
done

printf 'notebooks: %d passed, %d failed\n' $((${#notebooks[@]} - ${#failed[@]})) ${#failed[@]}
if [ ${#failed[@]} -gt 0 ]; then
	printf 'notebooks/run.sh: failed: %s\n' "${failed[*]}" >&2
	exit 1
fi
