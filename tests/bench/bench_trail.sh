#!/bin/bash
# lookup-events beside jq (not a test: prints figures). For each size, a trail made by pam_iam's
# record writer (gen_trail), then the same filtered query both ways, alternately, RUNS times:
#   iamctl lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=user7
#   jq -c 'select(.userIdentity.userName == "user7")' FILE | tail -n 50
# (the 50 newest matches, lookup-events' default page; the file is in time order, so jq's last
# 50 are the newest). Medians of wall time and of CPU time (user + sys), and the ratio jq /
# iamctl. Then iamctl alone on the same trail gzip-compressed (a rotated file) and with a
# time-range query.
#   bench_trail.sh IAMCTL GEN_TRAIL [SIZES...]     (default 10000 100000 1000000)
set -euo pipefail
iamctl=$(readlink -f "$1") gen=$(readlink -f "$2")
shift 2
sizes=${*:-10000 100000 1000000}
command -v jq >/dev/null || { echo "bench_trail.sh: jq is needed" >&2; exit 1; }
work=$(mktemp -d /tmp/bench_trail.XXXXXX)
trap 'rm -rf "$work"' EXIT

# t CMD...: "wall_ms cpu_ms" of one run (output discarded)
t() {
    /usr/bin/time -o "$work/time" -f "%e %U %S" "$@" >/dev/null 2>&1 || true
    awk '{ printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000 }' "$work/time"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

printf 'load average: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-9s %-26s %10s %10s\n' records query "wall ms" "cpu ms"
for n in $sizes; do
    f=$work/audit.jsonl
    "$gen" "$n" >"$f"
    runs=5
    [ "$n" -ge 1000000 ] && runs=3
    : >"$work/i.wall"; : >"$work/i.cpu"; : >"$work/j.wall"; : >"$work/j.cpu"
    # same answer both ways first
    a=$("$iamctl" lookup-events --audit-log "$f" --lookup-attributes AttributeKey=Username,AttributeValue=user7 | jq -r '.Events[].EventId' | sort)
    b=$(jq -c 'select(.userIdentity.userName == "user7")' "$f" | tail -n 50 | jq -r .eventID | sort)
    [ "$a" = "$b" ] || { echo "bench_trail.sh: iamctl and jq disagree at $n records" >&2; exit 1; }
    cat "$f" >/dev/null # page cache, for both
    for r in $(seq "$runs"); do
        read -r w c < <(t "$iamctl" lookup-events --audit-log "$f" --lookup-attributes AttributeKey=Username,AttributeValue=user7)
        echo "$w" >>"$work/i.wall"; echo "$c" >>"$work/i.cpu"
        read -r w c < <(t sh -c "jq -c 'select(.userIdentity.userName == \"user7\")' '$f' | tail -n 50")
        echo "$w" >>"$work/j.wall"; echo "$c" >>"$work/j.cpu"
    done
    iw=$(median <"$work/i.wall") ic=$(median <"$work/i.cpu") jw=$(median <"$work/j.wall") jc=$(median <"$work/j.cpu")
    printf '%-9s %-26s %10s %10s\n' "$n" "iamctl Username=user7" "$iw" "$ic"
    printf '%-9s %-26s %10s %10s\n' "$n" "jq same filter" "$jw" "$jc"
    awk -v a="$jw" -v b="$iw" -v c="$jc" -v d="$ic" -v n="$n" \
        'BEGIN { printf "%-9s %-26s %10.1fx %9.1fx\n", n, "ratio jq/iamctl", a / (b ? b : 1), c / (d ? d : 1) }'
    # the same trail rotated and compressed, and a time-range query (iamctl only)
    gzip -c "$f" >"$work/audit.jsonl.1.gz"
    : >"$work/g.wall"; : >"$work/g.cpu"; : >"$work/r.wall"; : >"$work/r.cpu"
    for r in $(seq "$runs"); do
        read -r w c < <(t "$iamctl" lookup-events --audit-log "$work/audit.jsonl.1.gz" --lookup-attributes AttributeKey=Username,AttributeValue=user7)
        echo "$w" >>"$work/g.wall"; echo "$c" >>"$work/g.cpu"
        read -r w c < <(t "$iamctl" lookup-events --audit-log "$f" --start-time 2026-01-01T06:00:00Z --end-time 2026-01-01T07:00:00Z)
        echo "$w" >>"$work/r.wall"; echo "$c" >>"$work/r.cpu"
    done
    printf '%-9s %-26s %10s %10s\n' "$n" "iamctl same, .gz file" "$(median <"$work/g.wall")" "$(median <"$work/g.cpu")"
    printf '%-9s %-26s %10s %10s\n' "$n" "iamctl one hour, no attr" "$(median <"$work/r.wall")" "$(median <"$work/r.cpu")"
    rm -f "$f" "$work/audit.jsonl.1.gz"
done
