#!/usr/bin/env bash
# peer-bench.sh: train the same generated CSV with somgraph and with R's
# kohonen package (som(..., mode = "batch") and mode = "pbatch" on every
# core) and print wall time, training time and quantization error side by
# side, with kohonen's times as multiples of somgraph's.
#
#   scripts/peer-bench.sh                       # 50,000 × 64, 40×40, 10 epochs
#   N=5000 DIM=16 SIZE=10x10 EPOCHS=5 scripts/peer-bench.sh   # small (CI)
#
# Needs Go, Rscript and kohonen (Debian: r-base-core r-cran-kohonen).
# SOMGRAPH=path uses a built somgraph binary instead of building one;
# GOFLAGS passes through to the build (e.g. GOFLAGS=-tags=openblas).
#
# Both fit the same z-scored data (population standard deviation, as
# somgraph's default pipeline) for the same number of epochs with the batch
# rule, but each with its own initialization and radius schedule, so their
# QEs are close, not equal. Wall time is the whole command (reading the
# CSV, fitting, writing the model for somgraph); training time is what each
# reports for the fit alone (somgraph's "done in", R's system.time of som).
set -euo pipefail

N=${N:-50000}
DIM=${DIM:-64}
SIZE=${SIZE:-40x40}
EPOCHS=${EPOCHS:-10}
ROWS=${SIZE%x*}
COLS=${SIZE#*x}

cd "$(dirname "$0")/.."
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

bin=${SOMGRAPH:-}
if [ -z "$bin" ]; then
	bin=$dir/somgraph
	go build -o "$bin" ./cmd/somgraph
fi
command -v Rscript >/dev/null || { echo "peer-bench: Rscript not found (apt-get install r-base-core r-cran-kohonen)" >&2; exit 1; }

data=$dir/data.csv
"$bin" bench --n "$N" --dim "$DIM" --write-csv "$data"

now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { print a - b }'; }

# somgraph: wall time of the command, training time and QE from its summary.
t0=$(now)
out=$("$bin" train --data "$data" --size "$SIZE" --topology rect --epochs "$EPOCHS" --mode batch --progress none --out "$dir/model.somg" 2>&1)
t1=$(now)
sg_wall=$(sub "$t1" "$t0")
sg_train=$(echo "$out" | sed -n 's/.*done in \([0-9.]*\)s: qe \([0-9.]*\).*/\1/p')
sg_qe=$(echo "$out" | sed -n 's/.*done in \([0-9.]*\)s: qe \([0-9.]*\).*/\2/p')
if [ -z "$sg_train" ] || [ -z "$sg_qe" ]; then
	echo "peer-bench: cannot read somgraph's summary:" >&2
	echo "$out" >&2
	exit 1
fi

cat >"$dir/kohonen.R" <<'RSCRIPT'
suppressMessages(library(kohonen))
a <- commandArgs(TRUE)
X <- as.matrix(read.csv(a[1]))
mu <- colMeans(X)
X <- sweep(X, 2, mu)
s <- sqrt(colMeans(X^2))
s[s < 1e-300] <- 1
X <- sweep(X, 2, s, "/")
set.seed(1)
mode <- a[5]
cores <- if (mode == "pbatch") parallel::detectCores() else 1
t <- system.time(m <- som(X, grid = somgrid(as.integer(a[2]), as.integer(a[3]), "rectangular"),
                          rlen = as.integer(a[4]), mode = mode, cores = cores))[["elapsed"]]
# m$distances are squared Euclidean distances to the winning units.
cat(sprintf("%.3f %.6f\n", t, mean(sqrt(m$distances))))
RSCRIPT

kohonen() {
	local t0 t1 res
	t0=$(now)
	res=$(Rscript "$dir/kohonen.R" "$data" "$ROWS" "$COLS" "$EPOCHS" "$1")
	t1=$(now)
	echo "$(sub "$t1" "$t0") $res"
}
read -r kb_wall kb_train kb_qe <<<"$(kohonen batch)"
read -r kp_wall kp_train kp_qe <<<"$(kohonen pbatch)"

echo "peer-bench: N=$N D=$DIM map $SIZE, $EPOCHS batch epochs, $(nproc) cores, somgraph BLAS: $("$bin" bench --n 10 --dim 2 --size 2x2 --epochs 1 --json 2>/dev/null | sed -n 's/^  "blas": "\(.*\)",$/\1/p')"
printf '%-18s %9s %9s %9s %12s %12s\n' program "wall s" "train s" qe "wall ×sg" "train ×sg"
row() {
	awk -v name="$1" -v w="$2" -v t="$3" -v q="$4" -v sw="$sg_wall" -v st="$sg_train" \
		'BEGIN { printf "%-18s %9.2f %9.2f %9.4f %12.1f %12.1f\n", name, w, t, q, w / sw, t / (st > 0 ? st : 0.01) }'
}
row somgraph "$sg_wall" "$sg_train" "$sg_qe"
row "kohonen batch" "$kb_wall" "$kb_train" "$kb_qe"
row "kohonen pbatch" "$kp_wall" "$kp_train" "$kp_qe"
