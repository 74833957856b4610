#!/usr/bin/env bash
# Compiles the generated plugins (out/scripting/*.sp) and the examples (examples/*.sp)
# with spcomp, warnings as errors (-E), into out/plugins/*.smx.
#
# It builds nothing else and downloads nothing: it needs a SourcePawn compiler and
# the SourceMod and socket extension includes that match it.
#
# Environment:
#   SPCOMP          the compiler (default: the first `spcomp` on PATH)
#   SM_INCLUDE      SourceMod's include directory (default /usr/local/share/sourcemod/include);
#                   SourceMod master includes need spcomp 1.13, 1.12 includes need spcomp 1.12
#   SOCKET_INCLUDE  directory holding the socket extension's socket.inc
#                   (default /usr/local/share/sourcemod/socket-plain; the oldmagic TLS include
#                   works too: the plugin compiles against either, see docs/plugin.md)
#   OUT_DIR         generated tree (default: out/ of this repository)
#   SPCOMP_FLAGS    extra compiler flags (e.g. "-O2"), split on spaces
#
# Usage: scripts/build-plugin.sh [file.sp ...]   (default: all of out/scripting and examples)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out_dir="${OUT_DIR:-$root/out}"
sm_include="${SM_INCLUDE:-/usr/local/share/sourcemod/include}"
socket_include="${SOCKET_INCLUDE:-/usr/local/share/sourcemod/socket-plain}"

spcomp="${SPCOMP:-}"
if [[ -z "$spcomp" ]]; then
  spcomp="$(command -v spcomp || true)"
fi
if [[ -z "$spcomp" || ! -x "$spcomp" ]]; then
  echo "build-plugin: spcomp not found${SPCOMP:+ (SPCOMP=$SPCOMP is not executable)}." >&2
  echo "  Install the SourcePawn compiler from a SourceMod package (addons/sourcemod/scripting/spcomp)" >&2
  echo "  and put it on PATH, or set SPCOMP=/path/to/spcomp." >&2
  exit 2
fi
for dir in "$sm_include" "$socket_include"; do
  if [[ ! -d "$dir" ]]; then
    echo "build-plugin: include directory not found: $dir" >&2
    echo "  Set SM_INCLUDE to SourceMod's scripting/include and SOCKET_INCLUDE to the directory of socket.inc." >&2
    exit 2
  fi
done
if [[ ! -f "$socket_include/socket.inc" ]]; then
  echo "build-plugin: no socket.inc in $socket_include (set SOCKET_INCLUDE)" >&2
  exit 2
fi

scripting="$out_dir/scripting"
if [[ $# -gt 0 ]]; then
  sources=("$@")
else
  if [[ ! -d "$scripting" ]]; then
    echo "build-plugin: $scripting does not exist: run \`npm run generate\` first" >&2
    exit 2
  fi
  shopt -s nullglob
  sources=("$scripting"/*.sp "$root"/examples/*.sp)
  shopt -u nullglob
fi
if [[ ${#sources[@]} -eq 0 ]]; then
  echo "build-plugin: nothing to compile" >&2
  exit 2
fi

plugins="$out_dir/plugins"
mkdir -p "$plugins"
extra=()
if [[ -n "${SPCOMP_FLAGS:-}" ]]; then
  read -r -a extra <<<"$SPCOMP_FLAGS"
fi

echo "build-plugin: $("$spcomp" 2>&1 | head -n 1 || true)"
echo "build-plugin: SM_INCLUDE=$sm_include SOCKET_INCLUDE=$socket_include"
failed=0
for src in "${sources[@]}"; do
  name="$(basename "$src" .sp)"
  # The public include (websocket.inc) comes from out/, ahead of any installed copy.
  if "$spcomp" -E -i "$scripting/include" -i "$sm_include" -i "$socket_include" \
    ${extra[@]+"${extra[@]}"} -o "$plugins/$name.smx" "$src"; then
    echo "build-plugin: ok   $src -> $plugins/$name.smx"
  else
    echo "build-plugin: FAIL $src" >&2
    failed=1
  fi
done
exit "$failed"
