#!/usr/bin/env bash
# Blackholes TCP connection attempts to a loopback address and port for racing tests
# (RFC 9623 §4.3, Happy Eyeballs). Only the project's own nftables tables are touched:
#   inet taps_test_blackhole_<owner pid>, chain output (hook output: loopback traffic passes it once).
# One table per test JVM (TAPS_BLACKHOLE_OWNER, default: the parent process), so two test runs on one
# machine never remove each other's rules.
#
#   blackhole.sh add <::1|127.0.0.1> <port>   drop SYNs to that address and port on lo
#   blackhole.sh add-udp <::1|127.0.0.1> <port>   drop UDP datagrams to that address and port on lo (QUIC)
#   blackhole.sh remove <port>                remove the rules for that port
#   blackhole.sh cleanup                      delete this owner's table
#   blackhole.sh cleanup-stale                delete the tables of owners that no longer run
#
# Only loopback addresses are accepted: nothing here can affect traffic that leaves the machine.
set -euo pipefail
PREFIX=taps_test_blackhole_
OWNER="${TAPS_BLACKHOLE_OWNER:-$PPID}"
[[ "$OWNER" =~ ^[0-9]+$ ]] || { echo "bad owner $OWNER" >&2; exit 2; }
TABLE="$PREFIX$OWNER"

ensure_table() {
    nft add table inet "$TABLE"
    nft add chain inet "$TABLE" output '{ type filter hook output priority 0; policy accept; }'
}

case "${1:-}" in
    add|add-udp)
        address="${2:?address}"
        port="${3:?port}"
        [[ "$port" =~ ^[0-9]+$ ]] && (( port > 0 && port < 65536 )) || { echo "bad port $port" >&2; exit 2; }
        case "$address" in
            ::1) family=ip6 ;;
            127.*) [[ "$address" =~ ^127\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "bad address $address" >&2; exit 2; }
                   family=ip ;;
            *) echo "only loopback addresses may be blackholed, not $address" >&2; exit 2 ;;
        esac
        ensure_table
        if [ "$1" = add-udp ]; then
            nft add rule inet "$TABLE" output oif lo "$family" daddr "$address" udp dport "$port" \
                drop comment "\"taps-$port\""
        else
            nft add rule inet "$TABLE" output oif lo "$family" daddr "$address" tcp dport "$port" \
                tcp flags '&' '(syn|ack)' == syn drop comment "\"taps-$port\""
        fi
        ;;
    remove)
        port="${2:?port}"
        [[ "$port" =~ ^[0-9]+$ ]] || { echo "bad port $port" >&2; exit 2; }
        nft list table inet "$TABLE" >/dev/null 2>&1 || exit 0
        for handle in $(nft -a list chain inet "$TABLE" output | grep "comment \"taps-$port\"" \
                | sed -n 's/.*# handle \([0-9]*\)$/\1/p'); do
            nft delete rule inet "$TABLE" output handle "$handle"
        done
        ;;
    cleanup)
        nft delete table inet "$TABLE" 2>/dev/null || true
        ;;
    cleanup-stale)
        for table in $(nft list tables inet | sed -n "s/^table inet \($PREFIX[0-9]*\)$/\1/p"); do
            pid="${table#"$PREFIX"}"
            if [ ! -d "/proc/$pid" ]; then
                nft delete table inet "$table" 2>/dev/null || true
            fi
        done
        ;;
    *)
        echo "usage: $0 add <::1|127.x.y.z> <port> | remove <port> | cleanup | cleanup-stale" >&2
        exit 2
        ;;
esac
