#!/usr/bin/env bash
# Installs (builds) every peer of the e2e test bed into a cache OUTSIDE the repo:
#   ${KSEC_TESTBED_CACHE:-$HOME/.cache/ksec-testbed}/<tool>-<version>/<binary>
# and links them into one tools dir on PATH:
#   $CACHE/bin-<sha of versions.env>/
# Idempotent: whatever is cached is skipped, so a warm run takes well under a second.
# Versions come from versions.env (the one place they are pinned).
#
# Usage: install.sh [tool...]   (default: all). Tools: kubernetes etcd sealed-secrets sops age
#                               helm kustomize kubeconform gitleaks moto reloader pre-commit local-action
# Every failure is loud (non-zero exit and the reason on stderr); nothing is skipped silently.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
# shellcheck source=versions.env
source "$HERE/versions.env"

CACHE="${KSEC_TESTBED_CACHE:-$HOME/.cache/ksec-testbed}"
VERSIONS_SHA="$(sha256sum "$HERE/versions.env" | cut -c1-12)"
TOOLS_DIR="$CACHE/bin-$VERSIONS_SHA"
LOG_DIR="$CACHE/logs"
mkdir -p "$CACHE" "$LOG_DIR" "$TOOLS_DIR"

# Go settings: small static-ish binaries, no toolchain downloads, 2-core friendly.
export GOFLAGS="-trimpath -mod=mod"
export GOTOOLCHAIN=local
export CGO_ENABLED=0
export GOMAXPROCS="${GOMAXPROCS:-$(nproc)}"
GO_PARALLEL="${KSEC_TESTBED_GO_P:-2}"

log() { printf '[testbed-install %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[testbed-install] ERROR: %s\n' "$*" >&2; exit 1; }

need() { command -v "$1" >/dev/null 2>&1 || die "'$1' is required but not on PATH ($2)"; }

# link_tools <dir> <binary...>: expose cached binaries in the shared tools dir.
link_tools() {
  local dir="$1"; shift
  local b
  for b in "$@"; do ln -sfn "$dir/$b" "$TOOLS_DIR/$b"; done
}

# have <dir> <binary...>: true when every binary is already built.
have() {
  local dir="$1"; shift
  local b
  for b in "$@"; do [[ -x "$dir/$b" ]] || return 1; done
}

# go_build_tool <cache-name> <version> <module> <ldflags> <pkg...>
# Builds packages of <module>@<version> inside a throw-away module whose go.mod
# carries the tool's own replace directives (that is why `go install pkg@ver`
# refuses such tools). Relative replaces (in-repo sub-modules) are resolved:
#  - if the tool requires the module at a real version, the replace is dropped;
#  - k8s.io/* staging modules required at v0.0.0 map to v0.<minor>.<patch>.
# The binaries land in $CACHE/<cache-name>-<version>/ (atomically renamed).
go_build_tool() {
  local name="$1" version="$2" module="$3" ldflags="$4"; shift 4
  local pkgs=("$@")
  local dest="$CACHE/$name-$version"
  # A pkg may be "importpath=binary" to rename the output (go.etcd.io/etcd/server/v3=etcd).
  local bins=() gobins=() p i
  for i in "${!pkgs[@]}"; do
    p="${pkgs[$i]}"
    local gb
    gb="$(basename "${p%%=*}")"
    # go names a main package after its last path element, skipping a /vN suffix
    [[ "$gb" =~ ^v[0-9]+$ ]] && gb="$(basename "$(dirname "${p%%=*}")")"
    gobins+=("$gb")
    if [[ "$p" == *=* ]]; then bins+=("${p#*=}"); else bins+=("$gb"); fi
    pkgs[$i]="${p%%=*}"
  done
  if have "$dest" "${bins[@]}"; then
    link_tools "$dest" "${bins[@]}"
    log "$name $version: cached"
    return 0
  fi
  need go "install Go >= 1.26 (https://go.dev/dl/)"
  local t0=$SECONDS
  local work; work="$(mktemp -d "${TMPDIR:-/tmp}/ksec-testbed-build-$name.XXXXXX")"
  log "$name $version: building ${bins[*]} (work dir $work)"
  (
    cd "$work"
    go mod init "ksec-testbed-build/$name" >/dev/null 2>&1 || die "$name: go mod init failed"
    local modjson gomod
    modjson="$(go mod download -json "$module@$version")" || die "$name: go mod download $module@$version failed"
    gomod="$(jq -r '.GoMod' <<<"$modjson")"
    [[ -f "$gomod" ]] || die "$name: no go.mod for $module@$version"
    # Requirements of the tool, to decide how to treat its relative replaces.
    local reqs replaces
    reqs="$(go mod edit -json "$gomod" | jq -r '(.Require // [])[] | "\(.Path) \(.Version)"')"
    replaces="$(go mod edit -json "$gomod" | jq -r '(.Replace // [])[] | "\(.Old.Path)|\(.Old.Version // "")|\(.New.Path)|\(.New.Version // "")"')"
    local old oldv new newv reqv args=()
    while IFS="|" read -r old oldv new newv; do
      [[ -n "$old" ]] || continue
      local lhs="$old"; [[ -n "$oldv" ]] && lhs="$old@$oldv"
      if [[ -n "$newv" ]]; then
        args+=("-replace=$lhs=$new@$newv")
      elif [[ "$new" == ./* || "$new" == ../* ]]; then
        reqv="$(awk -v m="$old" '$1==m {print $2}' <<<"$reqs")"
        if [[ -z "$reqv" ]]; then
          continue # not required by the tool: irrelevant (e.g. k8s.io/sample-controller)
        elif [[ "$reqv" == v0.0.0 && "$old" == k8s.io/* && "$module" == k8s.io/kubernetes ]]; then
          args+=("-replace=$old=$old@v0.${version#v1.}")
        elif [[ "$reqv" == v0.0.0 ]]; then
          die "$name: $old is replaced by a local path ($new) and required at v0.0.0; no published version to map it to"
        fi
        # else: required at a real version, the proxy serves it: drop the replace.
      else
        die "$name: unsupported replace $old => $new"
      fi
    done <<<"$replaces"
    if ((${#args[@]})); then go mod edit "${args[@]}" || die "$name: go mod edit failed"; fi
    local getargs=()
    for p in "${pkgs[@]}"; do getargs+=("$p@$version"); done
    go get "${getargs[@]}" || die "$name: go get ${getargs[*]} failed"
    mkdir -p out
    go build -p "$GO_PARALLEL" -ldflags="-s -w $ldflags" -o out/ "${pkgs[@]}" || die "$name: go build ${pkgs[*]} failed"
    for i in "${!bins[@]}"; do
      [[ -x "out/${gobins[$i]}" ]] || die "$name: expected binary out/${gobins[$i]} was not produced"
      [[ "${gobins[$i]}" == "${bins[$i]}" ]] || mv "out/${gobins[$i]}" "out/${bins[$i]}"
    done
    rm -rf "$dest.tmp.$$"
    mv out "$dest.tmp.$$"
    rm -rf "$dest"
    mv -T "$dest.tmp.$$" "$dest"
  ) || { rm -rf "$work"; die "$name $version: build failed (see messages above)"; }
  rm -rf "$work"
  link_tools "$dest" "${bins[@]}"
  log "$name $version: built in $((SECONDS - t0))s"
}

install_kubernetes() {
  local v="$KUBERNETES_VERSION" minor
  minor="$(cut -d. -f2 <<<"${v#v}")"
  local commit
  commit="$(curl -fsS "${GOPROXY_URL:-https://proxy.golang.org}/k8s.io/kubernetes/@v/$v.info" 2>/dev/null | jq -r '.Origin.Hash // empty' || true)"
  local date="2000-01-01T00:00:00Z" ld=""
  local pkg
  # Stamp the release version exactly like Kubernetes' own hack/lib/version.sh does.
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $pkg.gitVersion=$v -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ld+=" -X $pkg.gitCommit=${commit:-unknown} -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
  done
  go_build_tool kubernetes "$v" k8s.io/kubernetes "$ld" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
}

install_etcd() {
  go_build_tool etcd "$ETCD_VERSION" go.etcd.io/etcd/server/v3 "" go.etcd.io/etcd/server/v3=etcd
}

install_sealed_secrets() {
  go_build_tool sealed-secrets "$SEALED_SECRETS_VERSION" github.com/bitnami-labs/sealed-secrets \
    "-X main.VERSION=$SEALED_SECRETS_VERSION" \
    github.com/bitnami-labs/sealed-secrets/cmd/kubeseal github.com/bitnami-labs/sealed-secrets/cmd/controller
  # The controller's CRD, from the same tagged source (the chart's crds/ dir).
  local dest="$CACHE/sealed-secrets-$SEALED_SECRETS_VERSION" crd="bitnami.com_sealedsecrets.yaml"
  if [[ ! -f "$dest/$crd" ]]; then
    local src
    src="$(GOFLAGS=-mod=mod go mod download -json "github.com/bitnami-labs/sealed-secrets@$SEALED_SECRETS_VERSION" | jq -r .Dir)" \
      || die "sealed-secrets: go mod download failed"
    cp "$src/helm/sealed-secrets/crds/$crd" "$dest/$crd.tmp" || die "sealed-secrets: CRD not found in $src/helm/sealed-secrets/crds"
    chmod 0644 "$dest/$crd.tmp" && mv "$dest/$crd.tmp" "$dest/$crd"
  fi
}

install_sops() {
  go_build_tool sops "$SOPS_VERSION" github.com/getsops/sops/v3 "" github.com/getsops/sops/v3/cmd/sops
}

install_age() {
  go_build_tool age "$AGE_VERSION" filippo.io/age "-X main.Version=$AGE_VERSION" \
    filippo.io/age/cmd/age filippo.io/age/cmd/age-keygen
}

install_helm() {
  go_build_tool helm "$HELM_VERSION" helm.sh/helm/v4 \
    "-X helm.sh/helm/v4/internal/version.version=$HELM_VERSION" helm.sh/helm/v4/cmd/helm
}

install_kustomize() {
  go_build_tool kustomize "$KUSTOMIZE_VERSION" sigs.k8s.io/kustomize/kustomize/v5 \
    "-X sigs.k8s.io/kustomize/api/provenance.version=kustomize/$KUSTOMIZE_VERSION" sigs.k8s.io/kustomize/kustomize/v5
}

install_kubeconform() {
  go_build_tool kubeconform "$KUBECONFORM_VERSION" github.com/yannh/kubeconform \
    "-X main.version=$KUBECONFORM_VERSION" github.com/yannh/kubeconform/cmd/kubeconform
}

install_gitleaks() {
  go_build_tool gitleaks "$GITLEAKS_VERSION" github.com/zricethezav/gitleaks/v8 \
    "-X github.com/zricethezav/gitleaks/v8/version.Version=$GITLEAKS_VERSION" github.com/zricethezav/gitleaks/v8
}

install_moto() {
  local dest="$CACHE/moto-$MOTO_VERSION"
  if have "$dest/venv/bin" moto_server; then
    link_tools "$dest/venv/bin" moto_server
    log "moto $MOTO_VERSION: cached"
    return 0
  fi
  need python3 "install Python >= 3.9 with the venv module (Debian: apt-get install python3 python3-venv)"
  local t0=$SECONDS
  rm -rf "$dest.tmp.$$"
  log "moto $MOTO_VERSION: creating venv and installing moto[server]"
  python3 -m venv "$dest.tmp.$$/venv" || die "moto: python3 -m venv failed (Debian: apt-get install python3-venv)"
  "$dest.tmp.$$/venv/bin/pip" install --disable-pip-version-check -q "moto[server]==$MOTO_VERSION" \
    || die "moto: pip install moto[server]==$MOTO_VERSION failed"
  # venv scripts carry absolute shebangs, so the venv must be created at its final path.
  rm -rf "$dest.tmp.$$"
  python3 -m venv "$dest/venv" || die "moto: python3 -m venv failed"
  "$dest/venv/bin/pip" install --disable-pip-version-check -q "moto[server]==$MOTO_VERSION" \
    || { rm -rf "$dest"; die "moto: pip install moto[server]==$MOTO_VERSION failed"; }
  [[ -x "$dest/venv/bin/moto_server" ]] || { rm -rf "$dest"; die "moto: moto_server not installed"; }
  link_tools "$dest/venv/bin" moto_server
  log "moto $MOTO_VERSION: installed in $((SECONDS - t0))s"
}

# pre-commit, in a venv of its own (like moto's): `pre-commit try-repo` proves .pre-commit-hooks.yaml.
install_pre_commit() {
  local dest="$CACHE/pre-commit-$PRE_COMMIT_VERSION"
  if have "$dest/venv/bin" pre-commit; then
    link_tools "$dest/venv/bin" pre-commit
    log "pre-commit $PRE_COMMIT_VERSION: cached"
    return 0
  fi
  need python3 "install Python >= 3.9 with the venv module (Debian: apt-get install python3 python3-venv)"
  local t0=$SECONDS
  rm -rf "$dest"
  log "pre-commit $PRE_COMMIT_VERSION: creating venv and installing it"
  python3 -m venv "$dest/venv" || die "pre-commit: python3 -m venv failed (Debian: apt-get install python3-venv)"
  "$dest/venv/bin/pip" install --disable-pip-version-check -q "pre-commit==$PRE_COMMIT_VERSION" \
    || { rm -rf "$dest"; die "pre-commit: pip install pre-commit==$PRE_COMMIT_VERSION failed"; }
  link_tools "$dest/venv/bin" pre-commit
  log "pre-commit $PRE_COMMIT_VERSION: installed in $((SECONDS - t0))s"
}

# GitHub's local-action (npm), which runs a JavaScript action's code with GitHub's toolkit stubbed
# the way the runner provides it: the e2e test of action.yml. Installed with the machine's npm.
install_local_action() {
  local dest="$CACHE/local-action-$LOCAL_ACTION_VERSION"
  if have "$dest/node_modules/.bin" local-action; then
    link_tools "$dest/node_modules/.bin" local-action
    log "local-action $LOCAL_ACTION_VERSION: cached"
    return 0
  fi
  need npm "install Node.js >= 20 with npm"
  local t0=$SECONDS
  rm -rf "$dest.tmp.$$"
  mkdir -p "$dest.tmp.$$"
  npm install --prefix "$dest.tmp.$$" --no-audit --no-fund --loglevel=error "@github/local-action@$LOCAL_ACTION_VERSION" >&2 \
    || { rm -rf "$dest.tmp.$$"; die "local-action: npm install @github/local-action@$LOCAL_ACTION_VERSION failed"; }
  rm -rf "$dest" && mv "$dest.tmp.$$" "$dest"
  # npm's .bin links are relative, so the tree can move; check it still runs from its final place
  "$dest/node_modules/.bin/local-action" --version >/dev/null 2>&1 || { rm -rf "$dest"; die "local-action: installed but does not run"; }
  link_tools "$dest/node_modules/.bin" local-action
  log "local-action $LOCAL_ACTION_VERSION: installed in $((SECONDS - t0))s"
}

# stakater Reloader is not built from the module proxy by its own path (its go.mod pins
# modules at master that the proxy may not serve); it is built from its source at the tag.
# KSEC_RELOADER_SOURCE says where that source is:
#   a .tar.gz of the tree (default: <repo>/../shared/reference/peers/reloader-<version>.tar.gz),
#   a directory holding the tree (e.g. a checkout made by hand), or
#   a git URL, cloned at the tag (machines with internet: https://github.com/stakater/Reloader.git;
#   also the fallback when the default tarball is absent).
# The source's VERSION file must name the pinned version. Dependencies come from the Go module
# proxy (go.sum is the tool's own). The version is stamped like Reloader's Dockerfile does.
install_reloader() {
  local v="$RELOADER_VERSION" dest="$CACHE/reloader-$RELOADER_VERSION"
  if have "$dest" reloader; then
    link_tools "$dest" reloader
    log "reloader $v: cached"
    return 0
  fi
  need go "install Go >= 1.26 (https://go.dev/dl/)"
  local src="${KSEC_RELOADER_SOURCE:-}"
  if [[ -z "$src" ]]; then
    src="$REPO/../shared/reference/peers/reloader-$v.tar.gz"
    [[ -f "$src" ]] || src="https://github.com/stakater/Reloader.git"
  fi
  local t0=$SECONDS
  local work; work="$(mktemp -d "${TMPDIR:-/tmp}/ksec-testbed-build-reloader.XXXXXX")"
  log "reloader $v: building from $src (work dir $work)"
  (
    cd "$work"
    mkdir tree
    if [[ -f "$src" ]]; then
      # The tarball holds one top directory (reloader-<version>/).
      tar -xzf "$src" -C tree --strip-components=1 || die "reloader: cannot extract $src"
    elif [[ -d "$src" ]]; then
      cp -a "$src/." tree/ || die "reloader: cannot copy $src"
    elif [[ "$src" == http*://* || "$src" == git@* || "$src" == *.git ]]; then
      need git "to clone $src"
      git -c advice.detachedHead=false clone -q --depth 1 --branch "$v" "$src" tree || die "reloader: git clone $src at $v failed"
    else
      die "reloader: KSEC_RELOADER_SOURCE=$src is neither a tarball, a directory nor a git URL"
    fi
    [[ -f tree/go.mod && -f tree/main.go ]] || die "reloader: $src does not hold Reloader's source (no go.mod/main.go at its top)"
    local have_v; have_v="v$(tr -d '[:space:]' <tree/VERSION 2>/dev/null)"
    [[ "$have_v" == "$v" ]] || die "reloader: $src is version $have_v, versions.env pins $v"
    cd tree
    local pkgvar=github.com/stakater/Reloader/pkg/common
    go build -p "$GO_PARALLEL" -ldflags="-s -w -X $pkgvar.Version=${v#v} -X $pkgvar.Commit=$v -X $pkgvar.BuildDate=2000-01-01T00:00:00Z" \
      -o ../out/reloader . || die "reloader: go build failed"
    cd ..
    [[ -x out/reloader ]] || die "reloader: expected binary out/reloader was not produced"
    rm -rf "$dest.tmp.$$"
    mv out "$dest.tmp.$$"
    rm -rf "$dest"
    mv -T "$dest.tmp.$$" "$dest"
  ) || { chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"; die "reloader $v: build failed (see messages above)"; }
  chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"
  link_tools "$dest" reloader
  log "reloader $v: built in $((SECONDS - t0))s"
}

ALL=(kubernetes etcd sealed-secrets sops age helm kustomize kubeconform gitleaks moto reloader pre-commit local-action)
want=("$@")
((${#want[@]})) || want=("${ALL[@]}")

# One installer at a time per cache (global setup and a developer may race).
exec 9>"$CACHE/install.lock"
flock 9

t_start=$SECONDS
k8s_pid=""
for tool in "${want[@]}"; do
  case "$tool" in
    kubernetes)
      # The slowest build by far: start it first, in the background, logging to a file.
      if have "$CACHE/kubernetes-$KUBERNETES_VERSION" kube-apiserver kube-controller-manager; then
        install_kubernetes
      else
        log "kubernetes $KUBERNETES_VERSION: building in the background, log: $LOG_DIR/kubernetes-$KUBERNETES_VERSION.log"
        install_kubernetes >"$LOG_DIR/kubernetes-$KUBERNETES_VERSION.log" 2>&1 &
        k8s_pid=$!
      fi
      ;;
    etcd|sealed-secrets|sops|age|helm|kustomize|kubeconform|gitleaks|moto|reloader|pre-commit|local-action)
      # While kubernetes builds, use one compile job for the others (2 cores).
      if [[ -n "$k8s_pid" ]]; then GO_PARALLEL=1; fi
      "install_${tool//-/_}"
      ;;
    *) die "unknown tool '$tool' (known: ${ALL[*]})" ;;
  esac
done
if [[ -n "$k8s_pid" ]]; then
  log "waiting for the kubernetes build (tail -f $LOG_DIR/kubernetes-$KUBERNETES_VERSION.log)"
  if ! wait "$k8s_pid"; then
    tail -n 40 "$LOG_DIR/kubernetes-$KUBERNETES_VERSION.log" >&2 || true
    die "kubernetes $KUBERNETES_VERSION build failed; full log: $LOG_DIR/kubernetes-$KUBERNETES_VERSION.log"
  fi
  tail -n 1 "$LOG_DIR/kubernetes-$KUBERNETES_VERSION.log" >&2
fi
log "done in $((SECONDS - t_start))s; tools in $TOOLS_DIR"
echo "$TOOLS_DIR"
