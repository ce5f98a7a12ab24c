#!/usr/bin/env bash
# Build (once) and cache the Go-built tools Warmgate's tests use.
#
#   bash tools/go-tools.sh [k6|helm|kube|etcd|kwok|grpcurl|jaeger|all]...     (default: all)
#
# Binaries land in ${WARMGATE_TOOLS_DIR:-$HOME/.cache/warmgate/bin}/<tool>-<version>/
# and are never rebuilt once present.  Progress goes to stderr; stdout gets one
# `name=/abs/path` line per binary (plus `kwok_stages=/abs/dir`), e.g.
#
#   while IFS='=' read -r name path; do ...; done < <(bash tools/go-tools.sh kube etcd)
#   APISERVER=$(bash tools/go-tools.sh kube | sed -n 's/^kube-apiserver=//p')
#
# Everything comes from the Go module proxy (no github.com needed).  Builds run
# under `nice`, one tool at a time, in throwaway directories outside the repo
# (${WARMGATE_TOOLS_SRC:-<tools dir>/../src}).  A per-tool flock makes
# concurrent invocations wait for each other instead of building twice.
#
# Environment overrides: K6_VERSION HELM_VERSION KUBE_VERSION ETCD_VERSION
# KWOK_VERSION GRPCURL_VERSION JAEGER_VERSION, WARMGATE_TOOLS_DIR, WARMGATE_TOOLS_SRC, WARMGATE_NICE (default 10).
# Exit status: 0 if every requested tool is available, 1 otherwise (the
# failing tools and, for download failures, the module that could not be
# fetched are named on stderr), 2 on bad usage.
set -uo pipefail

K6_VERSION=${K6_VERSION:-v2.2.0}
HELM_VERSION=${HELM_VERSION:-v3.22.0}
KUBE_VERSION=${KUBE_VERSION:-v1.36.3}
ETCD_VERSION=${ETCD_VERSION:-v3.6.16}
KWOK_VERSION=${KWOK_VERSION:-v0.8.0}
GRPCURL_VERSION=${GRPCURL_VERSION:-v1.9.4}
JAEGER_VERSION=${JAEGER_VERSION:-v1.76.0}

ALL_TOOLS=(etcd kube kwok helm k6 grpcurl jaeger)

# ---------------------------------------------------------------- setup
DIR=${WARMGATE_TOOLS_DIR:-$HOME/.cache/warmgate/bin}
mkdir -p "$DIR" || { echo "go-tools: cannot create $DIR" >&2; exit 1; }
DIR=$(cd "$DIR" && pwd -P)
SRC=${WARMGATE_TOOLS_SRC:-$(dirname "$DIR")/src}
mkdir -p "$SRC" "$DIR/.locks" || { echo "go-tools: cannot create $SRC" >&2; exit 1; }
SRC=$(cd "$SRC" && pwd -P)

export GOTOOLCHAIN=local
export CGO_ENABLED=0
NICE=(nice -n "${WARMGATE_NICE:-10}")
# Do not let a go.work / GOFLAGS=-mod=vendor from the caller's environment leak in.
export GOWORK=off

log() { printf 'go-tools: %s\n' "$*" >&2; }
WORK=
# an interrupted build leaves no half-written throwaway module behind
trap '[[ -n $WORK && -d $WORK ]] && rm -rf "$WORK"' EXIT

usage() {
  cat >&2 <<EOF
usage: bash tools/go-tools.sh [-k|--keep-going] [k6|helm|kube|etcd|kwok|grpcurl|jaeger|all]...
  (\`all\` implies --keep-going: build what can be built, then exit 1 listing failures)
  k6    $K6_VERSION  (go.k6.io/k6, CGO_ENABLED=0)
  helm  $HELM_VERSION
  kube  $KUBE_VERSION  (kube-apiserver kube-scheduler kube-controller-manager kubectl)
  etcd  $ETCD_VERSION
  kwok  $KWOK_VERSION  (kwok kwokctl + stage configs)
  grpcurl $GRPCURL_VERSION
  jaeger  $JAEGER_VERSION  (Jaeger v2 all-in-one: OTLP receiver + query API, memory storage)
cache: $DIR
EOF
}

command -v go >/dev/null || { log "ERROR: go not found on PATH"; exit 1; }
command -v flock >/dev/null || { log "ERROR: flock not found (util-linux)"; exit 1; }

OUT_LINES=()     # name=path lines for stdout, printed at the end
FAILED=()        # "tool: reason"
SUMDB_OFF=0      # flipped to 1 once checksum-database lookups are seen failing

emit() { OUT_LINES+=("$1=$2"); }

fmt_secs() { local s=$1; if (( s >= 60 )); then printf '%dm%02ds' $((s/60)) $((s%60)); else printf '%ds' "$s"; fi; }

# Run a go command (niced), appending output to $LOG.  If it fails because the
# checksum database cannot be reached, retry once with GOSUMDB=off (unless the
# caller set GOSUMDB explicitly).
run_go() {
  local rc start=$(wc -l <"$LOG" 2>/dev/null || echo 0)
  echo "+ go $*" >>"$LOG"
  if (( SUMDB_OFF )); then
    GOSUMDB=off "${NICE[@]}" go "$@" >>"$LOG" 2>&1 9>&-; rc=$?
  else
    "${NICE[@]}" go "$@" >>"$LOG" 2>&1 9>&-; rc=$?
  fi
  if (( rc != 0 && ! SUMDB_OFF )) && [[ -z ${GOSUMDB_SET:-} ]] &&
     tail -n +"$((start + 1))" "$LOG" | grep -qE 'sum\.golang\.org|checksum database|verifying .*(dial tcp|lookup|timeout|connection)'; then
    log "checksum database unreachable; retrying with GOSUMDB=off"
    SUMDB_OFF=1
    echo "+ (retry, GOSUMDB=off) go $*" >>"$LOG"
    GOSUMDB=off "${NICE[@]}" go "$@" >>"$LOG" 2>&1 9>&-; rc=$?
  fi
  return $rc
}
[[ -n ${GOSUMDB+x} ]] && GOSUMDB_SET=1

# Explain a failed go step: name the module(s) that could not be fetched, or
# show the compiler output.
explain_failure() {
  local tool=$1 what=$2 lines tokens mods
  lines=$(grep -E 'not found|lookup disabled|403 Forbidden|404 Not Found|410 Gone|not available|no such host|no such file|dial tcp|i/o timeout|connection refused|unrecognized import path|reading [a-z]+://|invalid version|unknown revision|no matching versions|missing go.sum entry|SECURITY ERROR|checksum mismatch|TLS handshake' "$LOG")
  tokens=$(printf '%s\n' "$lines" \
         | grep -oE '([a-z0-9-]+\.)+[a-z]{2,}(/[A-Za-z0-9._~+-]+)*(@v[0-9][A-Za-z0-9.+_-]*)?' \
         | grep -vE '^(proxy\.golang\.org|sum\.golang\.org|goproxy\.io|storage\.googleapis\.com)(/|$)' \
         | grep -E '/' | sort -u)
  # prefer module@version tokens over bare package paths
  mods=$(printf '%s\n' "$tokens" | grep '@' | head -8 | paste -sd' ' -)
  [[ -n $mods ]] || mods=$(printf '%s\n' "$tokens" | grep . | head -8 | paste -sd' ' -)
  if [[ -n $mods ]]; then
    log "ERROR: $tool: could not fetch module(s) from the Go module proxy: $mods"
    printf '%s\n' "$lines" | head -3 | sed 's/^/    /' >&2
    FAILED+=("$tool: could not fetch $mods")
  else
    log "ERROR: $tool: $what failed; last lines of $LOG:"
    tail -n 25 "$LOG" | sed 's/^/    /' >&2
    FAILED+=("$tool: $what failed (see $LOG)")
  fi
}

# lock NAME: take an exclusive per-tool lock on fd 9 (waits for another build).
lock() {
  exec 9>"$DIR/.locks/$1.lock"
  if ! flock -n 9; then
    log "another go-tools.sh is building $1; waiting for it..."
    flock 9
  fi
}
unlock() { exec 9>&-; }

# is_installed OUTDIR BIN...: true if OUTDIR was fully installed (stamp + binaries).
is_installed() {
  local out=$1; shift
  [[ -f $out/.complete ]] || return 1
  local b; for b in "$@"; do [[ -x $out/$b ]] || return 1; done
}

# install_bins FROMDIR OUTDIR BIN...: move built binaries into the cache
# atomically (copy to a temp name in OUTDIR, then rename), then stamp.
install_bins() {
  local from=$1 out=$2; shift 2
  mkdir -p "$out" || return 1
  local b
  for b in "$@"; do
    [[ -x $from/$b ]] || { log "ERROR: expected binary $b missing after build"; return 1; }
    cp "$from/$b" "$out/.$b.tmp.$$" && chmod 755 "$out/.$b.tmp.$$" && mv -f "$out/.$b.tmp.$$" "$out/$b" || return 1
  done
  date -u +%FT%TZ >"$out/.complete"
}

# begin_build TOOL VERSION EST: common preamble; sets WORK (fresh temp dir) and LOG.
begin_build() {
  local tool=$1 ver=$2 est=$3
  WORK=$(mktemp -d "$SRC/$tool-$ver.XXXXXX") || return 1
  mkdir -p "$WORK/bin"
  LOG=$SRC/$tool-$ver.log
  : >"$LOG"
  BUILD_START=$SECONDS
  log "building $tool $ver (first time, may take ~$est on $(nproc) cores; log: $LOG)..."
}
end_build() {
  local tool=$1 ver=$2 ok=$3
  [[ $ok == 0 ]] && log "built $tool $ver in $(fmt_secs $((SECONDS - BUILD_START)))"
  rm -rf "$WORK"     # the throwaway module is reproducible; $LOG is kept
  WORK=
}

major_of() { local v=${1#v}; echo "${v%%.*}"; }

# module_build TOOL MODULE VERSION LDFLAGS PKG...: build the main packages
# PKG... of MODULE@VERSION into $WORK/bin/ from a throwaway module that just
# requires MODULE VERSION (copying its `go` and `godebug` lines, so MVS picks
# exactly the dependency versions upstream pins).  Used instead of
# `go install pkg@version` because (a) that refuses modules whose go.mod has
# replace directives (etcd) and (b) it looks up deprecations via the module's
# @v/list, which proxy.golang.org answers 404 for go.k6.io/k6/v2.
module_build() {
  local tool=$1 mod=$2 ver=$3 ld=$4; shift 4
  local gomod gov p
  if ! gomod=$(mod_field "$mod@$ver" GoMod) || [[ ! -f $gomod ]]; then
    explain_failure "$tool" "download of $mod@$ver"; return 1
  fi
  gov=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$gomod" | head -1)
  {
    echo "module warmgate.local/tools/$tool"
    echo
    echo "go ${gov:-1.26}"
    echo
    sed -n '/^godebug (/,/^)/p; /^godebug [^(]/p' "$gomod"
    echo
    echo "require $mod $ver"
    echo
    # upstream's replacements by another module version (not local paths), e.g.
    # jaeger's `github.com/Shopify/sarama => ... v1.33.0`: without them MVS picks
    # other versions than upstream builds with
    { sed -n '/^replace (/,/^)/p' "$gomod"; sed -n 's/^replace \([^(].*\)$/\1/p' "$gomod"; } |
      grep -E '=>' | grep -vE '=> *\.{1,2}/' | sed 's/^[[:space:]]*/replace /'
    echo
    for p in "$@"; do echo "tool $p"; done
  } >"$WORK/go.mod"
  go_build_tools "$tool" "$ld" "" "$@"
}

# go_build_tools TOOL LDFLAGS TAGS PKG...: tidy the throwaway module in $WORK
# (this is where missing modules show up), then build PKG... into $WORK/bin/.
go_build_tools() {
  local tool=$1 ld=$2 tags=$3; shift 3
  if ! (cd "$WORK" && run_go mod tidy); then
    explain_failure "$tool" "go mod tidy"; return 1
  fi
  if ! (cd "$WORK" && run_go build -mod=mod -trimpath ${tags:+-tags "$tags"} -ldflags "$ld" -o "$WORK/bin/" "$@"); then
    explain_failure "$tool" "go build $*"; return 1
  fi
}

# mod_field MODULE@VERSION FIELD: download a module, print a field of `go mod download -json`.
mod_field() {
  local json
  json=$(cd "$WORK" && run_go_capture mod download -json "$1") || return 1
  printf '%s\n' "$json" | sed -n "s/^[[:space:]]*\"$2\": \"\(.*\)\",\{0,1\}$/\1/p" | head -1
}
run_go_capture() {
  # like run_go, but returns stdout (stderr to log)
  local out rc
  echo "+ go $*" >>"$LOG"
  if (( SUMDB_OFF )); then out=$(GOSUMDB=off go "$@" 2>>"$LOG" 9>&-); rc=$?
  else out=$(go "$@" 2>>"$LOG" 9>&-); rc=$?; fi
  if (( rc != 0 )) && [[ -z ${GOSUMDB_SET:-} ]] && (( ! SUMDB_OFF )) && printf '%s' "$out" | grep -qE 'sum\.golang\.org|verifying'; then
    SUMDB_OFF=1; out=$(GOSUMDB=off go "$@" 2>>"$LOG" 9>&-); rc=$?
  fi
  printf '%s\n' "$out" >>"$LOG"
  # `go mod download -json` reports errors inside the JSON
  if printf '%s' "$out" | grep -q '"Error"'; then rc=1; fi
  printf '%s\n' "$out"
  return $rc
}

# ---------------------------------------------------------------- tools
tool_k6() {
  local ver=$K6_VERSION mod maj out
  maj=$(major_of "$ver")
  if (( maj >= 2 )); then mod=go.k6.io/k6/v$maj; else mod=go.k6.io/k6; fi
  out=$DIR/k6-$ver
  if ! is_installed "$out" k6; then
    lock "k6-$ver"
    if ! is_installed "$out" k6; then
      begin_build k6 "$ver" "1-2 min" || { unlock; return 1; }
      local ok=0
      if ! module_build k6 "$mod" "$ver" "-s -w" "$mod"; then ok=1
      else
        install_bins "$WORK/bin" "$out" k6 || { FAILED+=("k6: install failed"); ok=1; }
      fi
      end_build k6 "$ver" $ok
      unlock
      (( ok == 0 )) || return 1
    else unlock; fi
  fi
  emit k6 "$out/k6"
}

tool_helm() {
  local ver=$HELM_VERSION out=$DIR/helm-$HELM_VERSION
  if ! is_installed "$out" helm; then
    lock "helm-$ver"
    if ! is_installed "$out" helm; then
      begin_build helm "$ver" "1-2 min" || { unlock; return 1; }
      local ok=0 gomod kmin ld
      ld="-s -w -X helm.sh/helm/v3/internal/version.version=$ver -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
      if ! gomod=$(mod_field "helm.sh/helm/v3@$ver" GoMod) || [[ -z $gomod ]]; then
        explain_failure helm "download of helm.sh/helm/v3@$ver"; ok=1
      else
        # same as helm's Makefile: default .Capabilities.KubeVersion from client-go
        kmin=$(sed -n 's/^[[:space:]]*k8s\.io\/client-go v0\.\([0-9]*\)\..*/\1/p' "$gomod" | head -1)
        if [[ -n $kmin ]]; then
          ld+=" -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$kmin"
          ld+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$kmin"
        fi
        if ! module_build helm helm.sh/helm/v3 "$ver" "$ld" helm.sh/helm/v3/cmd/helm; then ok=1
        else install_bins "$WORK/bin" "$out" helm || { FAILED+=("helm: install failed"); ok=1; }; fi
      fi
      end_build helm "$ver" $ok
      unlock
      (( ok == 0 )) || return 1
    else unlock; fi
  fi
  emit helm "$out/helm"
}

tool_kwok() {
  local ver=$KWOK_VERSION out=$DIR/kwok-$KWOK_VERSION
  if ! is_installed "$out" kwok kwokctl; then
    lock "kwok-$ver"
    if ! is_installed "$out" kwok kwokctl; then
      begin_build kwok "$ver" "1-2 min" || { unlock; return 1; }
      local ok=0 moddir st
      if ! moddir=$(mod_field "sigs.k8s.io/kwok@$ver" Dir) || [[ ! -d $moddir ]]; then
        explain_failure kwok "download of sigs.k8s.io/kwok@$ver"; ok=1
      elif ! module_build kwok sigs.k8s.io/kwok "$ver" "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${ver#v}" \
               sigs.k8s.io/kwok/cmd/kwok sigs.k8s.io/kwok/cmd/kwokctl; then
        ok=1
      else
        # Stage configs for standalone kwok: the kustomize dirs (usable as
        # `--config <dir>`) plus one flat multi-document file, fast.yaml =
        # node/fast + node/heartbeat-with-lease + pod/fast (what kwokctl uses).
        st=$WORK/stages
        local d f
        for d in node/fast node/heartbeat-with-lease node/heartbeat pod/fast pod/general; do
          [[ -d $moddir/kustomize/stage/$d ]] || continue
          mkdir -p "$st/$d"
          for f in "$moddir/kustomize/stage/$d"/*.yaml; do cp "$f" "$st/$d/"; done
        done
        {
          for f in "$st"/node/fast/*.yaml "$st"/node/heartbeat-with-lease/*.yaml "$st"/pod/fast/*.yaml; do
            [[ $(basename "$f") == kustomization.yaml ]] && continue
            echo "---"; echo "# from sigs.k8s.io/kwok@$ver kustomize/stage/${f#"$st"/}"; cat "$f"
          done
        } >"$st/fast.yaml"
        chmod -R u+w,a+rX "$st"
        if [[ ! -s $st/pod/fast/pod-ready.yaml || ! -s $st/node/fast/node-initialize.yaml ]]; then
          log "ERROR: kwok: stage configs not found in $moddir/kustomize/stage"; FAILED+=("kwok: stage configs missing"); ok=1
        else
          mkdir -p "$out" && rm -rf "$out/stages" && cp -r "$st" "$out/stages" &&
            install_bins "$WORK/bin" "$out" kwok kwokctl || { FAILED+=("kwok: install failed"); ok=1; }
        fi
      fi
      end_build kwok "$ver" $ok
      unlock
      (( ok == 0 )) || return 1
    else unlock; fi
  fi
  emit kwok "$out/kwok"
  emit kwokctl "$out/kwokctl"
  emit kwok_stages "$out/stages"
}

tool_etcd() {
  local ver=$ETCD_VERSION out=$DIR/etcd-$ETCD_VERSION
  if ! is_installed "$out" etcd; then
    lock "etcd-$ver"
    if ! is_installed "$out" etcd; then
      begin_build etcd "$ver" "1-2 min" || { unlock; return 1; }
      local ok=0
      # etcd's server module has replace directives, so `go install` refuses
      # it; module_build goes through a throwaway module.
      if ! module_build etcd go.etcd.io/etcd/server/v3 "$ver" "-s -w" go.etcd.io/etcd/server/v3; then ok=1
      else
        # go build names the binary after the package path ("server")
        [[ -x $WORK/bin/etcd ]] || mv "$WORK/bin/server" "$WORK/bin/etcd" 2>/dev/null
        install_bins "$WORK/bin" "$out" etcd || { FAILED+=("etcd: install failed"); ok=1; }
      fi
      end_build etcd "$ver" $ok
      unlock
      (( ok == 0 )) || return 1
    else unlock; fi
  fi
  emit etcd "$out/etcd"
}

KUBE_BINS=(kube-apiserver kube-scheduler kube-controller-manager kubectl)
tool_kube() {
  local ver=$KUBE_VERSION out=$DIR/kube-$KUBE_VERSION
  if ! is_installed "$out" "${KUBE_BINS[@]}"; then
    lock "kube-$ver"
    if ! is_installed "$out" "${KUBE_BINS[@]}"; then
      begin_build kube "$ver" "4-7 min" || { unlock; return 1; }
      local ok=0 gomod gov staging_ver maj min b pkgs=() ld
      local v=${ver#v}; maj=${v%%.*}; min=${v#*.}; min=${min%%.*}
      staging_ver=v0.${v#*.}             # v1.36.3 -> v0.36.3
      for b in "${KUBE_BINS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$b"); done
      if ! gomod=$(mod_field "k8s.io/kubernetes@$ver" GoMod) || [[ -z $gomod ]]; then
        explain_failure kube "download of k8s.io/kubernetes@$ver"; ok=1
      else
        # k8s.io/kubernetes replaces every staging module (k8s.io/api, ...) with
        # ./staging/src/...; go install can't follow that, so a throwaway module
        # requires k8s.io/kubernetes and maps each staging module to its
        # published v0.Y.Z tag instead (same recipe as the autoscaler's e2e module).
        gov=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$gomod" | head -1)
        {
          echo "module warmgate.local/tools/kube"
          echo
          echo "go ${gov:-1.26}"
          echo
          sed -n '/^godebug (/,/^)/p; /^godebug [^(]/p' "$gomod"
          echo
          echo "require k8s.io/kubernetes $ver"
          echo
          echo "replace ("
          sed -n '/^replace (/,/^)/p' "$gomod" | grep -E '=> \./staging/' |
            awk -v sv="$staging_ver" '{ print "\t" $1 " => " $1 " " sv }'
          # any non-local replacements upstream has (module => module version)
          sed -n '/^replace (/,/^)/p' "$gomod" | grep -E '=>' | grep -vE '=> \.{1,2}/' | sed 's/^[[:space:]]*/\t/'
          echo ")"
          echo
          for b in "${pkgs[@]}"; do echo "tool $b"; done
        } >"$WORK/go.mod"
        ld="-s -w"
        for b in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
          ld+=" -X $b.gitVersion=$ver -X $b.gitMajor=$maj -X $b.gitMinor=$min -X $b.gitTreeState=clean"
          ld+=" -X $b.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
        done
        # all four in one `go build` so shared packages compile once
        if ! go_build_tools kube "$ld" selinux,notest "${pkgs[@]}"; then ok=1
        else install_bins "$WORK/bin" "$out" "${KUBE_BINS[@]}" || { FAILED+=("kube: install failed"); ok=1; }; fi
      fi
      end_build kube "$ver" $ok
      unlock
      (( ok == 0 )) || return 1
    else unlock; fi
  fi
  for b in "${KUBE_BINS[@]}"; do emit "$b" "$out/$b"; done
}

# simple_tool TOOL VERSION MODULE EST LDFLAGS PKG BIN: one binary from one main package.
simple_tool() {
  local tool=$1 ver=$2 mod=$3 est=$4 ld=$5 pkg=$6 bin=$7 out=$DIR/$1-$2
  if ! is_installed "$out" "$bin"; then
    lock "$tool-$ver"
    if ! is_installed "$out" "$bin"; then
      begin_build "$tool" "$ver" "$est" || { unlock; return 1; }
      local ok=0
      if ! module_build "$tool" "$mod" "$ver" "$ld" "$pkg"; then ok=1
      else
        [[ -x $WORK/bin/$bin ]] || mv "$WORK/bin/${pkg##*/}" "$WORK/bin/$bin" 2>/dev/null
        install_bins "$WORK/bin" "$out" "$bin" || { FAILED+=("$tool: install failed"); ok=1; }
      fi
      end_build "$tool" "$ver" $ok
      unlock
      (( ok == 0 )) || return 1
    else unlock; fi
  fi
  emit "$bin" "$out/$bin"
}

# grpcurl: a reflection-only gRPC client (the reflection test drives it)
tool_grpcurl() {
  simple_tool grpcurl "$GRPCURL_VERSION" github.com/fullstorydev/grpcurl "1 min" \
    "-s -w -X main.version=$GRPCURL_VERSION" github.com/fullstorydev/grpcurl/cmd/grpcurl grpcurl
}

# jaeger: Jaeger v2 (OpenTelemetry Collector based) with its default all-in-one
# config: OTLP receiver on 4317/4318, memory storage, query API on 16686
tool_jaeger() {
  simple_tool jaeger "$JAEGER_VERSION" github.com/jaegertracing/jaeger "10-30 min" \
    "-s -w" github.com/jaegertracing/jaeger/cmd/jaeger jaeger
}

# ---------------------------------------------------------------- main
want=() keep_going=0
(( $# == 0 )) && set -- all
for a in "$@"; do
  case $a in
    all) keep_going=1; want+=("${ALL_TOOLS[@]}") ;;
    k6|helm|kube|etcd|kwok|grpcurl|jaeger) want+=("$a") ;;
    -k|--keep-going) keep_going=1 ;;
    -h|--help) usage; exit 0 ;;
    *) log "unknown tool '$a'"; usage; exit 2 ;;
  esac
done
# de-duplicate, keep order
declare -A seen=(); todo=()
for t in "${want[@]}"; do [[ -n ${seen[$t]:-} ]] || { seen[$t]=1; todo+=("$t"); }; done

start_all=$SECONDS
for t in "${todo[@]}"; do
  if ! "tool_$t"; then
    (( keep_going )) || break
  fi
done

(( ${#OUT_LINES[@]} )) && printf '%s\n' "${OUT_LINES[@]}"

if (( ${#FAILED[@]} )); then
  log "FAILED (${#FAILED[@]}):"
  for f in "${FAILED[@]}"; do log "  - $f"; done
  exit 1
fi
(( SECONDS - start_all > 1 )) && log "done in $(fmt_secs $((SECONDS - start_all)))"
exit 0
