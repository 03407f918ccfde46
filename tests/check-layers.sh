#!/usr/bin/env bash
# Enforces the module layer rule (DEVELOPERS.md, docs/style.md): a module may include
# headers only from modules it is allowed to depend on.
set -u
cd "$(dirname "$0")/.."
declare -A allowed=(
  [util]=""
  [gotmpl]="util"
  [oci]="util"
  [storage]="util oci"
  [registry]="util oci"
  [runtime]="util oci"
  [network]="util oci"
  [image]="util oci storage registry"
  [monitor]="util oci runtime network"
  [build]="util oci storage registry runtime network image monitor"
  [engine]="util oci storage registry runtime network image monitor"
  [cli]="util gotmpl oci storage registry runtime network image monitor build engine"
)
bad=0
for dir in src/* include/skiff/*; do
  mod=$(basename "$dir")
  [ -n "${allowed[$mod]+x}" ] || { echo "check-layers: unknown module directory $dir"; bad=1; continue; }
  while IFS= read -r line; do
    file=${line%%:*}
    dep=$(sed -n 's|.*#include "skiff/\([a-z]*\)/.*|\1|p' <<<"$line")
    [ -z "$dep" ] || [ "$dep" = "$mod" ] && continue
    case " ${allowed[$mod]} " in
      *" $dep "*) ;;
      *) echo "check-layers: $file: module '$mod' may not include '$dep'"; bad=1 ;;
    esac
  done < <(grep -rn '#include "skiff/' "$dir" 2>/dev/null)
done
if [ $bad -ne 0 ]; then echo "check-layers: FAILED"; exit 1; fi
echo "check-layers: ok"
