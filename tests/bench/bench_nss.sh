#!/bin/bash
# NSS benchmark: lookups through glibc. Run as root; changes nothing on the host: everything
# happens in a private mount namespace with overlays over /etc, the system library directory
# and /var/lib, and a tmpfs over /run (no nscd).
#
# usage: bench_nss.sh BENCH_NSS MODULE.so NOP.so MKNSSCACHE CACHE_PATH [SIZES...]
#   SIZES default to "1000 10000 100000". BENCH_NSS_ID=0 skips the `id` measurement (10,000
#   users x 10,000 groups x 500 members: generating it takes a while).
#
# Prints: per size, op and hit/miss, the median ns per call through glibc for the iam module,
# glibc's files backend over passwd/group files of the same content, and a do-nothing module
# (the floor), iam and floor measured alternately three times (median of the three); the ratios
# iam/floor and files/iam; then the same calls made directly into the
# module (dlopen); the wall time of `id` for a 50-group user; and the cache size against the
# passwd + group text.
set -euo pipefail
bench=$(readlink -f "$1") so=$(readlink -f "$2") nop=$(readlink -f "$3") mk=$(readlink -f "$4")
cache=$5
shift 5
sizes=${*:-1000 10000 100000}
[ "$(id -u)" = 0 ] || { echo "bench_nss.sh: needs root (private mount namespace)" >&2; exit 1; }
libdir=$(dirname "$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)")
work=$(mktemp -d /tmp/bench_nss.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Account: userI (uid 300000+I, primary gid 100) in 5 of N/10 groups (~50 members each),
# plus member50 in 50 groups.
gen() {
    local n=$1 dir=$2
    awk -v n="$n" -v out="$dir" 'BEGIN {
        g = int(n / 10); step = int(g / 5); step50 = int(g / 50)
        for (i = 1; i <= n; i++) {
            printf "user%d:x:%d:100:User %d:/home/user%d:/bin/bash\n", i, 300000 + i, i, i > out "/passwd"
            for (k = 0; k < 5; k++) { j = (i + k * step) % g; mem[j] = mem[j] (mem[j] == "" ? "" : ",") "user" i }
        }
        printf "member50:x:%d:100:Fifty Groups:/home/member50:/bin/bash\n", 300000 + n + 1 > out "/passwd"
        for (k = 0; k < 50; k++) { j = (k * step50) % g; mem[j] = mem[j] (mem[j] == "" ? "" : ",") "member50" }
        for (j = 0; j < g; j++) printf "group%d:x:%d:%s\n", j + 1, 400001 + j, mem[j] > out "/group"
    }'
}

# getgrouplist for a hit must give 6 (primary + 5): check the generator agrees.
mkdir -p "$work/nop"
for n in $sizes; do
    mkdir -p "$work/$n"
    gen "$n" "$work/$n"
    "$mk" "$work/$n/passwd" "$work/$n/group" "$work/$n/nss.cache"
done

# `id` account: 10,000 users, 10,000 groups, 500 members per group; member50 in 50 groups.
if [ "${BENCH_NSS_ID:-1}" != 0 ]; then
    mkdir -p "$work/id"
    awk -v out="$work/id" 'BEGIN {
        for (i = 0; i < 10000; i++) {
            printf "user%d:x:%d:100:User %d:/home/user%d:/bin/bash\n", i + 1, 300001 + i, i + 1, i + 1 > out "/passwd"
            r = i % 20; res[r] = res[r] (res[r] == "" ? "" : ",") "user" (i + 1)
        }
        printf "member50:x:%d:100:Fifty Groups:/home/member50:/bin/bash\n", 310001 > out "/passwd"
        for (j = 0; j < 10000; j++) {
            extra = (j % 200 == 0) ? ",member50" : ""
            printf "group%d:x:%d:%s%s\n", j + 1, 400001 + j, res[j % 20], extra > out "/group"
        }
    }'
    "$mk" "$work/id/passwd" "$work/id/group" "$work/id/nss.cache"
fi

# Let the kernel write back the files just generated (70+ MB) before anything is timed: the
# first measurements of a run otherwise share the machine with that writeback.
sync

export bench so nop mk cache libdir work sizes
unshare --mount --pid --fork --kill-child --mount-proc bash -euo pipefail -c '
    t=$(mktemp -d)
    mount -t tmpfs tmpfs "$t"
    mount -t tmpfs tmpfs /run
    mkdir -p "$t/etc/u" "$t/etc/w" "$t/lib/u" "$t/lib/w" "$t/var/u" "$t/var/w"
    mount -t overlay overlay -o lowerdir=/etc,upperdir=$t/etc/u,workdir=$t/etc/w /etc
    mount -t overlay overlay -o lowerdir=$libdir,upperdir=$t/lib/u,workdir=$t/lib/w $libdir
    mount -t overlay overlay -o lowerdir=/var/lib,upperdir=$t/var/u,workdir=$t/var/w /var/lib
    install -m 0644 "$so" "$libdir/libnss_iam.so.2"
    install -m 0644 "$nop" "$libdir/libnss_iamnop.so.2"
    ldconfig
    install -d -m 0755 "$(dirname "$cache")"
    cp /etc/passwd "$t/passwd.host"
    cp /etc/group "$t/group.host"
    grep -Ev "^(passwd|group|shadow|gshadow|initgroups):" /etc/nsswitch.conf >"$t/nss.rest"
    use() { { echo "passwd: $1"; echo "group: $1"; echo "shadow: files"; cat "$t/nss.rest"; } >/etc/nsswitch.conf; }

    for n in $sizes; do
        install -m 0644 "$work/$n/nss.cache" "$cache"
        cat "$t/passwd.host" "$work/$n/passwd" >/etc/passwd
        cat "$t/group.host" "$work/$n/group" >/etc/group
        case $n in 100000) fit=40 ;; 10000) fit=400 ;; *) fit=3000 ;; esac
        use files; BENCH_NSS_CPUTIME=1 "$bench" glibc files "$n" "$fit"
        # Ours and the floor alternately, three times: a burst of load from whatever else
        # the machine runs then hits one repetition, not one backend (the table takes the
        # median of the three).
        for rep in 1 2 3; do
            use iam; "$bench" glibc iam "$n" 20000
            use iamnop; "$bench" glibc nop "$n" 20000
        done
        "$bench" direct "$libdir/libnss_iam.so.2" "$n" 200000
        printf "size %s %s %s\n" "$n" "$(stat -c %s "$cache")" "$(cat "$work/$n/passwd" "$work/$n/group" | wc -c)"
    done

    if [ -d "$work/id" ]; then
        install -m 0644 "$work/id/nss.cache" "$cache"
        # Wall time of the whole `id` process (fork, exec, dynamic loading, NSS), timed with
        # EPOCHREALTIME of bash, so the timer forks nothing itself.
        idtime() {
            local runs=$1 who=$2 i s e
            for i in $(seq 1 "$runs"); do
                s=${EPOCHREALTIME/./}; id "$who" >"$t/id.out"; e=${EPOCHREALTIME/./}
                echo $((e - s))
            done | sort -n | awk "{v[NR] = \$1} END {print v[int((NR + 1) / 2)]}"
        }
        cp "$t/passwd.host" /etc/passwd
        cp "$t/group.host" /etc/group
        use "files iam"
        id member50 >/dev/null
        echo "id iam $(idtime 31 member50) $(tr , "\n" <"$t/id.out" | wc -l)"
        echo "id floor $(idtime 31 root) 1"
        # CPU time (task-clock) does not depend on what else the machine is running.
        if command -v perf >/dev/null; then
            for who in member50 root; do
                echo "idcpu $who $(perf stat -r 31 -x, -e task-clock id "$who" 2>&1 >/dev/null | awk -F, "/task-clock/ {print \$1}")"
            done
        fi
        echo "idsize $(stat -c %s "$cache") $(cat "$work/id/passwd" "$work/id/group" | wc -c)"
        cat "$t/passwd.host" "$work/id/passwd" >/etc/passwd
        cat "$t/group.host" "$work/id/group" >/etc/group
        use files
        echo "id files $(idtime 3 member50) $(tr , "\n" <"$t/id.out" | wc -l)"
    fi
' >"$work/raw"

awk '
function r(x, y) { return y > 0 ? sprintf("%.2f", x / y) : "-" }
function med(k,    m, i, j, t, a) {
    m = cnt[k]
    for (i = 1; i <= m; i++) a[i] = val[k, i]
    for (i = 2; i <= m; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return a[int((m + 1) / 2)]
}
$1 == "files" || $1 == "iam" || $1 == "nop" || $1 == "direct" { k = $1 SUBSEP $2 SUBSEP $3 SUBSEP $4; val[k, ++cnt[k]] = $5; key[$2, $3, $4] = 1; if (!($2 in seen)) { seen[$2] = 1; order[++no] = $2 } }
$1 == "size" { size[$2] = $3; text[$2] = $4 }
$1 == "id" { idt[$2] = $3; idg[$2] = $4 }
$1 == "idsize" { idc = $2; idtx = $3 }
$1 == "idcpu" { idcpu[$2] = $3 }
END {
    for (k in cnt) v[k] = med(k)
    printf "Through glibc NSS dispatch: median ns per call (nsswitch.conf: passwd/group: <backend> only;\n"
    printf "files in CPU time per call, iam and floor in wall time, each the median of 3 alternating runs)\n"
    printf "%-8s %-13s %-9s %12s %10s %10s %9s %11s\n", "users", "call", "case", "files", "iam", "floor", "iam/floor", "files/iam"
    split("getpwnam_r getpwuid_r getgrnam_r getgrgid_r getgrouplist", ops, " ")
    split("hit miss 50groups", cases, " ")
    for (s = 1; s <= no; s++) { n = order[s]
        for (o = 1; o <= 5; o++) for (c = 1; c <= 3; c++) { k = ops[o]; cs = cases[c]
            if (!((n, k, cs) in key)) continue
            printf "%-8s %-13s %-9s %12s %10s %10s %9s %11s\n", n, k, cs, v["files", n, k, cs], v["iam", n, k, cs], v["nop", n, k, cs], r(v["iam", n, k, cs], v["nop", n, k, cs]), r(v["files", n, k, cs], v["iam", n, k, cs]) }
    }
    printf "\nCalled directly (dlopen, _nss_iam_*): median ns per call (timer: the clock reads alone,\n"
    printf "included in every figure)\n"
    printf "%-8s %-15s %-9s %10s\n", "users", "call", "case", "direct"
    split("timer getpwnam_r getpwuid_r getgrnam_r getgrgid_r getgrouplist initgroups_dyn", dops, " ")
    cases[4] = "none"
    for (s = 1; s <= no; s++) { n = order[s]
        for (o = 1; o <= 7; o++) for (c = 1; c <= 4; c++) { k = dops[o]; cs = cases[c]
            if (("direct", n, k, cs) in v) printf "%-8s %-15s %-9s %10s\n", n, (k == "getgrouplist" ? "initgroups_dyn" : k), cs, v["direct", n, k, cs] }
    }
    printf "\nCache size vs passwd + group text of the same content\n"
    printf "%-8s %12s %12s %7s\n", "users", "cache B", "text B", "ratio"
    for (s = 1; s <= no; s++) { n = order[s]; printf "%-8s %12s %12s %7s\n", n, size[n], text[n], r(size[n], text[n]) }
    if ("iam" in idt) {
        printf "\n`id member50` (50 groups; 10,000 users, 10,000 groups, 500 members each): median wall time of the whole process\n"
        printf "  files iam (module): %8.2f ms (%d groups listed)\n", idt["iam"] / 1000, idg["iam"]
        printf "  files only:         %8.2f ms (%d groups listed)\n", idt["files"] / 1000, idg["files"]
        printf "  `id root` (no IAM user, same process cost otherwise): %.2f ms\n", idt["floor"] / 1000
        if ("member50" in idcpu)
            printf "  CPU time (perf task-clock, mean of 31): id member50 %.2f ms, id root %.2f ms\n", idcpu["member50"], idcpu["root"]
        printf "  cache %d B vs text %d B (ratio %s)\n", idc, idtx, r(idc, idtx)
    }
}' "$work/raw"
