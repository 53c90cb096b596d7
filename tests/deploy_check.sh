#!/usr/bin/env bash
# Validates what can be validated of deploy/ without a container runtime or
# a cluster: every YAML file parses (and each Kubernetes object names its
# apiVersion and kind), every shell script parses, and the systemd units
# pass systemd-analyze verify.
#   tests/deploy_check.sh SOURCE_DIR KITHD_BINARY KITH_BINARY
set -euo pipefail
src="$1"
kithd="$2"
kith="$3"
/usr/bin/python3 - "$src/deploy" <<'PY'
import pathlib, sys, yaml
root = pathlib.Path(sys.argv[1])
files = sorted(root.rglob("*.yaml"))
assert files, "no YAML under deploy/"
for path in files:
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
    assert docs, f"{path}: empty"
    if "kubernetes" in path.parts:
        for d in docs:
            assert d.get("apiVersion") and d.get("kind"), f"{path}: an object without apiVersion or kind"
    print(f"ok {path.relative_to(root)}: {len(docs)} document(s)")
PY
for script in "$src"/deploy/*/*.sh; do
  bash -n "$script"
  echo "ok ${script#"$src/deploy/"}"
done
unit_dir="$(mktemp -d)"
trap 'rm -rf "$unit_dir"' EXIT
for name in kithd kith-alerts; do
  unit="$unit_dir/$name.service"
  # The units name the installed paths; verify them against the binaries just built.
  sed -e "s|/usr/local/bin/kithd|$kithd|" -e "s|/usr/local/bin/kith |$kith |" \
    "$src/deploy/systemd/$name.service" > "$unit"
  # verify exits 0 on many mistakes (an unknown value is only logged), so any
  # complaint fails the check.
  complaints="$(systemd-analyze verify "$unit" 2>&1)" || { echo "$complaints"; exit 1; }
  if [ -n "$complaints" ]; then
    echo "$complaints"
    exit 1
  fi
  echo "ok systemd/$name.service"
done
