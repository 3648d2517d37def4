#!/bin/bash
# libnss-iam's maintainer scripts against nsswitch.conf files with odd edits.
# The scripts honour DPKG_ROOT, so each case runs them for real on a copy in a
# scratch root: preinst install, postinst configure, check the result, postrm
# remove (or purge), check that the file is byte for byte the original.
# usage: test_nsswitch.sh PACKAGING_DEBIAN_DIR
set -euo pipefail

deb=${1:?usage: $0 packaging/debian}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
n=0

run() { # run SCRIPT ARGS... in the scratch root
    local s=$1
    shift
    DPKG_ROOT=$root DPKG_MAINTSCRIPT_PACKAGE=libnss-iam DPKG_MAINTSCRIPT_PACKAGE_INSTCOUNT=0 \
        sh "$deb/libnss-iam.$s" "$@"
}

# check NAME REMOVE_ACTION: $work/in is the original, $work/want the expected
# file after installation.
check() {
    local name=$1 action=${2:-remove}
    n=$((n + 1))
    root=$work/root.$n
    mkdir -p "$root/etc"
    cp "$work/in" "$root/etc/nsswitch.conf"
    run preinst install
    run postinst configure ''
    if ! cmp -s "$work/want" "$root/etc/nsswitch.conf"; then
        echo "FAIL $name: after install"
        diff -u "$work/want" "$root/etc/nsswitch.conf" || true
        fails=$((fails + 1))
        return
    fi
    # An upgrade must not add anything again.
    run preinst upgrade 0.1.0
    run postinst configure 0.1.0
    if ! cmp -s "$work/want" "$root/etc/nsswitch.conf"; then
        echo "FAIL $name: upgrade changed the file"
        diff -u "$work/want" "$root/etc/nsswitch.conf" || true
        fails=$((fails + 1))
        return
    fi
    run postrm "$action"
    if ! cmp -s "$work/in" "$root/etc/nsswitch.conf"; then
        echo "FAIL $name: after $action"
        diff -u "$work/in" "$root/etc/nsswitch.conf" || true
        fails=$((fails + 1))
        return
    fi
    if [ -e "$root/var/lib/libnss-iam" ]; then
        echo "FAIL $name: state left in /var/lib/libnss-iam"
        fails=$((fails + 1))
        return
    fi
    echo "ok   $name"
}

# 1. Debian 12's stock file.
cat > "$work/in" <<'X'
# /etc/nsswitch.conf
passwd:         files systemd
group:          files systemd
shadow:         files systemd
gshadow:        files systemd

hosts:          files dns
X
sed -e 's/^passwd:         files/& iam/' -e 's/^group:          files/& iam/' "$work/in" > "$work/want"
check "stock Debian 12"

# 2. Tabs, a comment after the services, an initgroups line, an action on files,
#    a service named like ours, "files" in a comment, no space after the colon.
printf '%s\n' \
    '# files iam passwd: files' \
    'passwd:	files	[NOTFOUND=return]	systemd # files here' \
    'group:files [ !UNAVAIL=return  NOTFOUND=continue ]#comment' \
    'initgroups: db files' \
    'netgroup: iamx files' \
    'shadow: files' > "$work/in"
printf '%s\n' \
    '# files iam passwd: files' \
    'passwd:	files	[NOTFOUND=return] iam	systemd # files here' \
    'group:files [ !UNAVAIL=return  NOTFOUND=continue ] iam#comment' \
    'initgroups: db files iam' \
    'netgroup: iamx files' \
    'shadow: files' > "$work/want"
check "tabs, actions, comments, initgroups" purge

# 3. compat instead of files; a service list without files; blanks before the name.
printf '%s\n' '  passwd : compat sss' 'group: sss ldap   # remote only' 'initgroups:' > "$work/in"
printf '%s\n' '  passwd : compat iam sss' 'group: sss ldap iam   # remote only' 'initgroups:' > "$work/want"
check "compat, no files, empty initgroups"

# 4. iam already configured by hand on one line: left alone, and left on removal.
printf '%s\n' 'passwd: files iam [NOTFOUND=return] systemd' 'group: files systemd' > "$work/in"
printf '%s\n' 'passwd: files iam [NOTFOUND=return] systemd' 'group: files iam systemd' > "$work/want"
check "iam already on passwd"

# 5. No final newline, CRLF line ends, "files" at the very end of a line.
printf 'passwd: files\r\ngroup: systemd files' > "$work/in"
printf 'passwd: files iam\r\ngroup: systemd files iam' > "$work/want"
check "CRLF and no final newline"

# 6. No passwd/group lines at all: nothing is added, nothing recorded.
printf '%s\n' 'hosts: files dns' > "$work/in"
cp "$work/in" "$work/want"
check "no passwd or group line"

# 7. Removal keeps the admin's later edits: a service added after ours, and an
#    action the admin put on iam goes with it.
n=$((n + 1))
root=$work/root.$n
mkdir -p "$root/etc"
printf '%s\n' 'passwd: files systemd' 'group: files systemd' > "$root/etc/nsswitch.conf"
run preinst install
run postinst configure ''
sed -i -e 's/^passwd: files iam/& [UNAVAIL=return]/' -e 's/systemd$/systemd winbind/' \
    "$root/etc/nsswitch.conf"
run postrm remove
printf '%s\n' 'passwd: files systemd winbind' 'group: files systemd winbind' > "$work/want"
if cmp -s "$work/want" "$root/etc/nsswitch.conf"; then
    echo "ok   later admin edits survive removal"
else
    echo "FAIL later admin edits survive removal"
    diff -u "$work/want" "$root/etc/nsswitch.conf" || true
    fails=$((fails + 1))
fi

# 8. nsswitch.conf as a symlink stays a symlink.
n=$((n + 1))
root=$work/root.$n
mkdir -p "$root/etc"
printf '%s\n' 'passwd: files' 'group: files' > "$root/etc/nsswitch.real"
ln -s nsswitch.real "$root/etc/nsswitch.conf"
run preinst install
run postinst configure ''
if [ -L "$root/etc/nsswitch.conf" ] && grep -qx 'passwd: files iam' "$root/etc/nsswitch.real"; then
    echo "ok   symlinked nsswitch.conf"
else
    echo "FAIL symlinked nsswitch.conf"
    fails=$((fails + 1))
fi

# 9. Another architecture still installed: removal leaves the entries.
n=$((n + 1))
root=$work/root.$n
mkdir -p "$root/etc"
printf '%s\n' 'passwd: files' > "$root/etc/nsswitch.conf"
run preinst install
run postinst configure ''
DPKG_ROOT=$root DPKG_MAINTSCRIPT_PACKAGE=libnss-iam DPKG_MAINTSCRIPT_PACKAGE_INSTCOUNT=1 \
    sh "$deb/libnss-iam.postrm" remove
if grep -qx 'passwd: files iam' "$root/etc/nsswitch.conf"; then
    echo "ok   other architecture still installed"
else
    echo "FAIL other architecture still installed"
    fails=$((fails + 1))
fi

# 10. No nsswitch.conf at all: the scripts succeed and create nothing.
n=$((n + 1))
root=$work/root.$n
mkdir -p "$root/etc"
run preinst install
run postinst configure ''
run postrm purge
if [ ! -e "$root/etc/nsswitch.conf" ] && [ ! -e "$root/var/lib/libnss-iam" ]; then
    echo "ok   no nsswitch.conf"
else
    echo "FAIL no nsswitch.conf"
    fails=$((fails + 1))
fi

if [ "$fails" -ne 0 ]; then
    echo "$fails case(s) failed"
    exit 1
fi
echo "all nsswitch cases passed"
