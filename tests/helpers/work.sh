# shellcheck shell=bash
# Sourced by test scripts. Bounds on the work a command did, not on how long it took: a
# loaded machine stretches wall time, not the bytes a program reads or the CPU time it uses.
#
# work_run CMD [ARGS...]: run CMD (a program or a shell function, with the caller's standard
# input, output and error) in a subshell and set
#   WORK_RC      its exit status,
#   WORK_READ    the bytes it and every process it started read (/proc/PID/io rchar: the
#                kernel adds a reaped child's counts to its parent's),
#   WORK_CPU_MS  their user + system CPU time, in milliseconds (/proc/PID/stat cutime+cstime).
# Fails the calling test (exit 1) when /proc cannot tell: a bound that cannot be measured
# must not pass silently.
WORK_HZ=$(getconf CLK_TCK)
work_run() {
    local f stats
    f=$(mktemp "${TMPDIR:-/tmp}/work.XXXXXX") || exit 1
    (
        "$@"
        rc=$?
        rchar=
        while read -r k v; do
            [ "$k" = rchar: ] && rchar=$v
        done <"/proc/$BASHPID/io"
        read -r st <"/proc/$BASHPID/stat"
        # after "pid (comm) ": state is field 3; cutime and cstime are fields 16 and 17
        # shellcheck disable=SC2086
        set -- ${st##*) }
        echo "$rc ${rchar:-?} $(((${14} + ${15}) * 1000 / WORK_HZ))" >"$f"
    )
    stats=$(cat "$f")
    rm -f "$f"
    read -r WORK_RC WORK_READ WORK_CPU_MS <<<"$stats"
    case $WORK_READ$WORK_CPU_MS in
    '' | *[!0-9]*)
        echo "work_run: cannot read /proc/PID/io or stat for: $*" >&2
        exit 1
        ;;
    esac
}
