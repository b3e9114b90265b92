#!/usr/bin/env bash
# Blackholes TCP connection attempts to a loopback address and port for racing tests
# (RFC 9623 §4.3, Happy Eyeballs). Only the project's own nftables table is touched:
#   inet taps_test_blackhole, chain output (hook output: loopback traffic passes it once).
#
#   blackhole.sh add <::1|127.0.0.1> <port>   drop SYNs to that address and port on lo
#   blackhole.sh remove <port>                remove the rules for that port
#   blackhole.sh cleanup                      delete the whole table (stale rules of an earlier run)
#
# Only loopback addresses are accepted: nothing here can affect traffic that leaves the machine.
set -euo pipefail
TABLE=taps_test_blackhole

ensure_table() {
    nft add table inet "$TABLE"
    nft add chain inet "$TABLE" output '{ type filter hook output priority 0; policy accept; }'
}

case "${1:-}" in
    add)
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
        nft add rule inet "$TABLE" output oif lo "$family" daddr "$address" tcp dport "$port" \
            tcp flags '&' '(syn|ack)' == syn drop comment "\"taps-$port\""
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
    *)
        echo "usage: $0 add <::1|127.x.y.z> <port> | remove <port> | cleanup" >&2
        exit 2
        ;;
esac
