#!/bin/bash
# Build the Debian packages (iamctl, libpam-iam, libnss-iam) from this repository.
#
# Debian's tools want debian/ at the top of the source tree, and dpkg-buildpackage
# writes its results next to it and its build tree into it. To keep both out of
# the repository, this copies the source (what git tracks or would track, with
# uncommitted changes; never build directories) into a scratch directory, puts
# packaging/debian there as debian/, runs `dpkg-buildpackage -us -uc -b`, and
# copies the .deb, .buildinfo and .changes files to OUTDIR.
#
# usage: packaging/build-deb.sh [--lintian] [OUTDIR]     (default OUTDIR: ./build-deb)
#   --lintian   also run lintian on the result and fail on any error it reports
set -euo pipefail

lint=0
if [ "${1:-}" = "--lintian" ]; then
    lint=1
    shift
fi
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build-deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)

version=$(dpkg-parsechangelog -l "$top/packaging/debian/changelog" -S Version)
work=$(mktemp -d /tmp/iam-host-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
src=$work/iam-host-$version
mkdir "$src"

# The file list: git's view of the tree when there is one, else everything.
# Build trees (build*, obj-*) and any stray top-level debian/ are left out.
list=$work/files
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$top" && git ls-files -z --cached --others --exclude-standard) > "$list.all"
else
    (cd "$top" && find . -mindepth 1 \( -type f -o -type l \) -printf '%P\0') > "$list.all"
fi
(cd "$top" && while IFS= read -r -d '' f; do
    case "$f" in
    build*/* | obj-*/* | debian/*) continue ;;
    esac
    if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
done < "$list.all") > "$list"
tar -C "$top" --null --no-recursion -T "$list" -cf - | tar -C "$src" -xf -
cp -a "$src/packaging/debian" "$src/debian"

echo "==> dpkg-buildpackage -us -uc -b (iam-host $version; log: $out/build.log)"
if ! (cd "$src" && DEB_BUILD_OPTIONS="parallel=${IAM_BUILD_JOBS:-2} ${DEB_BUILD_OPTIONS:-}" \
        dpkg-buildpackage -us -uc -b) > "$out/build.log" 2>&1; then
    tail -n 40 "$out/build.log" >&2
    echo "build-deb: dpkg-buildpackage failed; full log in $out/build.log" >&2
    exit 1
fi

# Only this build's packages in OUTDIR: the demo and the test install by glob.
for p in iamctl libpam-iam libnss-iam; do
    rm -f "$out/${p}_"*.deb "$out/${p}-dbgsym_"*.deb
done
rm -f "$out"/iam-host_*.changes "$out"/iam-host_*.buildinfo
changes=
for f in "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes; do
    cp "$f" "$out/"
    case "$f" in *.changes) changes=$(basename "$f") ;; esac
done
for f in "$out"/*_"$version"_*.deb; do
    case "$f" in
    *-dbgsym_*) ;;
    *) echo "    $(basename "$f")" ;;
    esac
done

if [ "$lint" = 1 ]; then
    echo "==> lintian"
    lintian --fail-on error --info "$out/$changes" | tee "$out/lintian.log"
fi
