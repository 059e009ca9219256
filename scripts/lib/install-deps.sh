#!/usr/bin/env bash
# Installs the Debian packages Baton's build, tests and demo need, when any is missing.
# Sourced by scripts/demo and scripts/test; safe to run repeatedly.
baton_install_deps() {
    local packages=(mariadb-server mariadb-client liblua5.4-dev pkg-config openssl iproute2 nftables procps curl jq)
    packages+=(haproxy socat bind9-dnsutils) # hooks/ examples, tested by Tests/BatonHooksTests/Examples
    local missing=()
    for package in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    if [[ $(id -u) -ne 0 ]]; then
        echo "baton: missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
        return 1
    fi
    echo "baton: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
