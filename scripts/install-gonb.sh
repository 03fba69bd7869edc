#!/usr/bin/env bash
# install-gonb.sh installs the Go Jupyter kernel GoNB and its helper goimports
# into "$(go env GOPATH)/bin", then registers the kernel with Jupyter
# (kernel spec "gonb" in the user's Jupyter data directory).
#
# Jupyter itself comes from the system's packages; on Debian:
#   apt-get install jupyter-nbconvert python3-ipykernel jupyter-client
#
# Safe to run again: it rebuilds from the Go build cache in a few seconds.
# Versions are pinned so the notebooks' outputs do not change under us.
set -euo pipefail

GONB_VERSION=${GONB_VERSION:-v0.11.4}
GOIMPORTS_VERSION=${GOIMPORTS_VERSION:-v0.52.0} # golang.org/x/tools; newer ones need Go 1.27

die() { printf 'install-gonb: %s\n' "$*" >&2; exit 1; }

command -v go >/dev/null || die "go is not on PATH (add /usr/local/go/bin)"
command -v jupyter >/dev/null || die "jupyter is not on PATH; install it first (Debian: apt-get install jupyter-nbconvert python3-ipykernel jupyter-client)"

bin=$(go env GOPATH)/bin
mkdir -p "$bin"
case ":$PATH:" in *":$bin:"*) ;; *) export PATH="$bin:$PATH" ;; esac

go install "golang.org/x/tools/cmd/goimports@$GOIMPORTS_VERSION" ||
	die "could not install goimports $GOIMPORTS_VERSION"

# `go install github.com/janpfeifer/gonb@VERSION` is the documented way, but it
# also asks the module proxy for gonb's version list (to check deprecation),
# and a proxy that serves exact versions only refuses that with 403. Building
# the downloaded module in its own directory needs exact versions only, uses
# gonb's own go.sum, and gives the same binary.
info=$(go mod download -json "github.com/janpfeifer/gonb@$GONB_VERSION") ||
	die "could not download github.com/janpfeifer/gonb@$GONB_VERSION: $info"
dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$info")
[ -d "$dir" ] || die "go mod download gave no module folder for gonb: $info"
(cd "$dir" && go build -o "$bin/gonb" .) || die "could not build gonb $GONB_VERSION"

# --force_deps: gonb also wants gopls, but only for auto-complete in an
# interactive session; running notebooks does not use it (and current gopls
# needs Go 1.27).
out=$("$bin/gonb" --install --force_deps 2>&1) || {
	printf '%s\n' "$out" >&2
	die "gonb --install failed"
}

kernels=$(jupyter kernelspec list 2>&1) || die "jupyter kernelspec list failed: $kernels"
grep -qw gonb <<<"$kernels" ||
	die "the gonb kernel is not registered with jupyter after gonb --install"
printf 'install-gonb: gonb %s and goimports %s installed in %s; jupyter kernel "gonb" registered\n' \
	"$GONB_VERSION" "$GOIMPORTS_VERSION" "$bin"
