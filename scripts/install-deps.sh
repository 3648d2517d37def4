#!/bin/sh
# Install what building, testing and the demo need, from Debian 12's archive.
# libcurl4-openssl-dev: iam-pull (iamctl pull) fetches bundles with libcurl. nginx-light and
# openssl: the fleet tests serve a bundle over https from a real nginx with a CA they make.
# nscd: e2e_security_nss_agreement starts its own in a private namespace, to show that iamctl
# makes it forget deleted users. The package would also start one on the host (where no
# policy-rc.d forbids it): that one is stopped again below, since a host-wide nscd would
# answer the tests' lookups from outside their private namespaces.
# slapd, ldap-utils, openssl: the directory tests start their own slapd on 127.0.0.1 with a
# configuration and certificates they make (tests/ldap/lib.sh); libldap2-dev gives the headers
# of the client library that import-ldap and iam-ldap-auth load.
set -eu
PKGS="build-essential cmake pkg-config clang libclang-rt-14-dev
libpam0g-dev libsodium-dev libjansson-dev libsqlite3-dev libcmocka-dev zlib1g-dev logrotate
libpam-wrapper libpamtest0-dev libnss-wrapper pamtester
openssh-server openssh-client sshpass sudo valgrind strace iproute2 util-linux
debhelper devscripts lintian fakeroot
jq sqlite3 clang-tidy-14 cppcheck python3
nscd
liboath-dev libqrencode-dev libpng-dev oathtool zbar-tools
libcurl4-openssl-dev nginx-light openssl
libldap2-dev slapd ldap-utils"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "==> installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing
    case " $missing " in
    *" nscd "*)
        if [ -S /run/nscd/socket ] || [ -S /var/run/nscd/socket ]; then
            echo "==> stopping the nscd the package started (the tests start their own)"
            if [ -d /run/systemd/system ]; then
                systemctl disable --now nscd.service || true
            fi
            nscd -K 2>/dev/null || true
        fi
        ;;
    esac
fi
