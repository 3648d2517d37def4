# shellcheck shell=bash
# Sourced first thing by a test script that starts servers on 127.0.0.1 at ports it picks
# (bind to port 0, close, hand the number to the server): run as root, the script starts over
# in a private network namespace with only its own loopback up, so nothing else on the machine
# (another test's connections take ports from the same ephemeral range) can take a port
# between its choice and the server's bind. Without root, or without unshare and ip, the
# script goes on where it is, with that small race.
if [ "$(id -u)" = 0 ] && [ -z "${IAM_TEST_PRIVATE_NET:-}" ] &&
    command -v unshare >/dev/null && command -v ip >/dev/null; then
    # shellcheck disable=SC2016 # $0 and $@ are the inner bash's
    exec env IAM_TEST_PRIVATE_NET=1 unshare --net -- \
        bash -c 'ip link set lo up || exit 1; exec bash "$0" "$@"' "$0" "$@"
fi
