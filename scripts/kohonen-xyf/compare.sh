#!/usr/bin/env bash
# compare.sh: the iris supervised-map experiment with somgraph and with R's
# kohonen xyf, side by side. Both train a 6x6 hexagonal map on the same 10
# stratified 80/20 splits of iris (iris-splits.csv, written by trainer's
# TestSupervisedIris, which checks that the file is its splits) and report
# the held-out accuracy, mean ± sd over the seeds. Each uses its own
# training defaults (somgraph: mini-batch, three-phase schedule, 30 epochs;
# kohonen: online xyf, rlen 100), with the target weighted 0.5/0.5.
#
#   scripts/kohonen-xyf/compare.sh
#
# Needs Go, Rscript and kohonen (Debian: r-base-core r-cran-kohonen).
set -euo pipefail
cd "$(dirname "$0")/../.."
go_line=$(go test ./trainer/ -run '^TestSupervisedIris$' -count=1 -v | grep 'held-out accuracy')
r_out=$(Rscript scripts/kohonen-xyf/xyf.R)
echo "$r_out" | grep '^seed' | sed 's/^/  kohonen /'
printf '%-14s %s\n' "somgraph:" "$(echo "$go_line" | sed 's/.*seeds: //')"
printf '%-14s %s\n' "kohonen xyf:" "$(echo "$r_out" | tail -1 | sed 's/kohonen xyf: //')"
