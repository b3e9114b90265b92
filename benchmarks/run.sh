#!/usr/bin/env bash
# Runs the taps-vs-raw-Netty benchmark suite and prints one table (figure, unit, taps, raw Netty, ratio).
#
#   ./benchmarks/run.sh           full run, about 90 minutes on 2 cores (session 20's took 72 before
#                                 figure 13 ran in every round and TLS handshakes warmed up longer);
#                                 needs the machine otherwise idle
#   ./benchmarks/run.sh --smoke   every benchmark once for ~0.5 s, no warm-up, all in one JVM per
#                                 group (-f 0: no JVM start per benchmark), well under a minute:
#                                 checks that the harness works (every benchmark runs and every
#                                 cell of the table gets a value); asserts nothing about timing
#
# Full run: BENCH_ROUNDS rounds (default 3) of the whole suite, each benchmark in one fresh JVM,
# warmed up until both libraries are past C2 (steady figures 5 x 3 s, DTLS 10 x 3 s, set-up figures
# 20 x 2 s and TLS handshakes 40 x 2 s, figure 13 15 x 2 s, figure 10 12 x 2 s: taps has more code for the JIT to settle than a
# raw Netty client, and with 4 s of warm-up connect + close measured C2 still compiling and read 0.56
# of raw Netty, 0.92 once warm), then 4 x 1.5 s measured (8 x 1.5 s for the set-up figures); taps and raw Netty of a pair run back to back in every
# round (one short JMH run per workload and library, raw Netty first in odd rounds and taps first in
# even ones: the machine has slow periods of tens of seconds to minutes in which the same work costs
# up to ~1.5x, and one of them covering the end of a round always hit taps, whose benchmarks JMH
# runs last by name), and each cell is the median over the rounds, each ratio the median of the
# per-round ratios of the pair (Report lists them by round). The whole run is pinned to one CPU
# (taskset -c "$BENCH_CPUS", default 1) as shared/docs/platform-notes.md recommends for A/B
# comparisons: on 2 vCPUs the scheduler otherwise picks same-CPU or cross-CPU placement per run and
# latency becomes bimodal. Set BENCH_CPUS= (empty) to run unpinned. Then a shorter run with JMH's GC
# profiler gives the allocation figure (gc.alloc.rate.norm, B/op).
#
# Every row also has a Reactor Netty column (reactor-netty-core, the second baseline); its benchmarks run
# in the first BENCH_REACTOR_ROUNDS rounds (default 1, to keep the run's length) and in the allocation run.
# Figures 12 (scale: 1k/10k/50k connections, heap per connection, RSS, allocation per echo) and 13
# (establishment vs candidate count) run in every round, each inside a throw-away network namespace
# (unshare -n, when root) so that 50,000 loopback connections compete with nothing else; figure 12
# needs N file descriptors per JVM: the script raises ulimit -n as far as the hard limit allows and
# leaves out (and says so) any N above it.
#
# Needs only a JDK (JAVA_HOME or java on the PATH); builds benchmarks/target/benchmarks.jar with the
# Maven Wrapper when it is missing or older than the sources. JSON results go to
# benchmarks/target/results/ (BENCH_OUT to change).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
JAR="$ROOT/benchmarks/target/benchmarks.jar"
OUT=${BENCH_OUT:-"$ROOT/benchmarks/target/results"}
ROUNDS=${BENCH_ROUNDS:-3}
CPUS=${BENCH_CPUS-1}
if [ -n "$CPUS" ] && ! command -v taskset > /dev/null; then
  echo "taskset not found: running unpinned" >&2
  CPUS=
fi
MODE=full
case "${1:-}" in
  --smoke) MODE=smoke ;;
  "") ;;
  *) echo "usage: $0 [--smoke]" >&2; exit 2 ;;
esac

REACTOR_ROUNDS=${BENCH_REACTOR_ROUNDS:-1}

JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
JAVA_MAJOR=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')
JVM_FLAGS="-Xms1g -Xmx1g -XX:+UseParallelGC"
if [ "${JAVA_MAJOR%%.*}" -ge 22 ]; then
  # As the jdk22-plus profile of the build: Netty's natives and Unsafe without warnings.
  JVM_FLAGS="$JVM_FLAGS --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
fi

if [ ! -f "$JAR" ] || [ -n "$(find benchmarks/src benchmarks/pom.xml taps-core/src taps-core/pom.xml pom.xml -newer "$JAR" -print -quit)" ]; then
  echo "Building $JAR ..."
  ./mvnw -q -B -pl benchmarks -am package -DskipTests
fi

mkdir -p "$OUT"
rm -f "$OUT"/*.json
START=$(date +%s)

# Figure 12 holds up to 50,000 connections open, a file descriptor each in the server's JVM and in the
# clients': raise the limit as far as allowed and run only the N that fit (with room for the JVM's own).
ulimit -n 60000 2> /dev/null || ulimit -n "$(ulimit -Hn)" 2> /dev/null || true
FDS=$(ulimit -n)
SCALE_N=()
NOT_RUN=()
NOTES=()
for n in 1000 10000 50000; do
  if [ "$FDS" = unlimited ] || [ "$FDS" -ge $((n + 1024)) ]; then
    SCALE_N+=("$n")
  else
    NOT_RUN+=("Scale:$n")
    NOTES+=("figure 12 with $n connections not run: ulimit -n is $FDS (hard limit $(ulimit -Hn)), it needs $((n + 1024)) per JVM")
  fi
done
if [ "${#SCALE_N[@]}" -eq 0 ]; then
  echo "ulimit -n is $FDS: too low for even figure 12's 1,000 connections" >&2
  exit 1
fi

# PIN: the prefix that pins a measured JVM to the chosen CPUs (full runs only). FRESH: the prefix that
# runs a command in a throw-away network namespace with its loopback up; empty unless root and
# unshare allow it (then the host's namespace serves, and the report says so).
PIN=()
if [ "$MODE" = full ] && [ -n "$CPUS" ]; then
  PIN=(taskset -c "$CPUS")
fi
FRESH=()
if [ "$(id -u)" = 0 ] && command -v unshare > /dev/null; then
  FRESH=(unshare -n sh -c 'ip link set lo up && exec "$@"' sh)
fi

# isolated TIMEOUT RESULT_FILE JMH_ARGS...: figures 12 and 13 in a throw-away network namespace of their
# own (its loopback, ephemeral ports and accept queues are nobody else's), when root and unshare allow;
# otherwise in the host's, with a note in the report.
isolated() {
  local limit=$1 result=$2
  shift 2
  timeout "$limit" "${FRESH[@]}" "${PIN[@]}" "$JAVA" $JVM_FLAGS -jar "$JAR" -foe true -to 120s \
    -jvmArgsAppend "$JVM_FLAGS" -prof io.taps.benchmarks.ScaleProfiler -rf json -rff "$result" "$@"
}
if [ "${#FRESH[@]}" = 0 ]; then
  NOTES+=("figures 12 and 13 ran in the host's network namespace (unshare -n needs root)")
fi

# jmh TIMEOUT_SECONDS RESULT_FILE JMH_ARGS...: one JMH run, bounded, on the chosen CPUs (in a fresh
# network namespace of its own when FRESH_NETNS=1 and FRESH allows, see setup_figures).
jmh() {
  local limit=$1 result=$2
  shift 2
  local netns=()
  if [ "${FRESH_NETNS:-0}" = 1 ]; then
    netns=("${FRESH[@]}")
  fi
  # -jvmArgsAppend replaces the @Fork defaults of the classes with the same heap/GC plus the JDK's flags.
  timeout "$limit" "${netns[@]}" "${PIN[@]}" "$JAVA" $JVM_FLAGS -jar "$JAR" -foe true -to 60s \
    -jvmArgsAppend "$JVM_FLAGS" -prof io.taps.benchmarks.LatencyProfiler -rf json -rff "$result" "$@"
}

# workloads BENCHMARK: the values of the workload parameter of one benchmark method (from JMH's -lp).
workloads() {
  "$JAVA" -jar "$JAR" -lp "^$1\$" | sed -n 's/^ *param "workload" = {\(.*\)}$/\1/p' | tr -d ' ' | tr ',' ' '
}

# alternating ROUND: the client libraries of a round in the order they run: raw Netty first in odd
# rounds, taps first in even ones (a slow period of the machine, tens of seconds to minutes, then does
# not always fall on the same side), Reactor Netty last in the first BENCH_REACTOR_ROUNDS rounds.
alternating() {
  if [ $(($1 % 2)) = 0 ]; then echo taps netty; else echo netty taps; fi
  if [ "$1" -le "$REACTOR_ROUNDS" ]; then echo reactor; fi
}

# steady_figures ROUND: figures 1-3, 5-7, 7d, 11 and 14 (steady state on one connection), interleaved:
# one short JMH run per workload and client library, the libraries of a workload back to back, so the
# two sides of a cell are measured within a minute of each other rather than a whole suite apart.
# Writes steady-ROUND-WORKLOAD-LIBRARY.json.
steady_figures() {
  local round=$1 workload library libraries
  libraries=$(alternating "$round")
  for workload in $FLOW_WORKLOADS; do
    for library in $libraries; do
      case " $(eval echo "\$FLOW_WORKLOADS_$library") " in *" $workload "*) ;; *) continue ;; esac
      # 5 x 3 s of warm-up: after 3 (session 16), round 1's pipelined taps fork measured 0.40-0.55
      # of its rate in rounds 2 and 3 and still climbing, and the QUIC, BULK and TLS forks of both
      # libraries were still getting faster while measured in some rounds.
      steady_run "$round" "$workload-$library" -wi 5 -w 3s -p workload="$workload" "\\.Flows\\.$library\$"
    done
  done
  # Figure 11 (DTLS) with 10 warm-up iterations: both DTLS clients (JDK SSLEngine) were still
  # getting faster after 3 x 3 s, so the shorter warm-up measured JIT progress (0.72, bimodal).
  for library in $libraries; do
    [ "$library" = reactor ] && continue
    steady_run "$round" "DTLS-$library" -wi 10 -w 3s "\\.DtlsFlows\\.$library\$"
  done
  for library in $libraries; do
    [ "$library" = reactor ] && continue
    steady_run "$round" "FlowPublisherBulk-$library" -wi 5 -w 3s "\\.FlowPublisherBulk\\.$library\$"
  done
}

# steady_run ROUND NAME JMH_ARGS...: one fork of the steady-state figures, 4 x 1.5 s measured.
steady_run() {
  local round=$1 name=$2
  shift 2
  jmh 300 "$OUT/steady-$round-$name.json" -f 1 -i 4 -r 1500ms "$@" > "$OUT/steady-$round-$name.log" 2>&1 \
    || { tail -50 "$OUT/steady-$round-$name.log"; echo "round $round $name FAILED (log: $OUT/steady-$round-$name.log)" >&2; exit 1; }
  FILES+=("$OUT/steady-$round-$name.json")
}

# setup_figures ROUND: figures 4, 5 and the SOCKS5 row (connection set-up): one JMH run per client
# library and figure (TCP connect + close, TLS handshakes, SOCKS5), each in a fresh network namespace
# (when root and unshare allow) so that every fork starts from the same kernel state. A client closing
# thousands of connections a second leaves each of them in TIME_WAIT for 60 s: measured here, the
# ephemeral range (28,232 ports) is all TIME_WAIT after ~25 s of one fork, and connect() then reuses
# those ports (tcp_tw_reuse=2). In one namespace, the client that ran last inherited the TIME_WAIT of
# up to four forks before it, and taps always ran last (JMH orders benchmarks by name); with one
# namespace per library, each library's TLS fork still ran behind its own TCP fork's ~250,000
# connections (see the README's "Session 16: TLS handshakes behind a TCP fork"). The order of the
# libraries also alternates between rounds.
# Writes setup-ROUND-LIBRARY-FIGURE.json; the report takes the median over the rounds as for every figure.
setup_figures() {
  local round=$1 library figure
  for library in $(alternating "$round"); do
    for figure in TCP TLS SOCKS5; do
      local select=("-p" "workload=$figure" "\\.Connect\\.$library\$")
      if [ "$figure" = SOCKS5 ]; then
        select=("\\.ProxyConnect\\.$library\$")
      fi
      # Their code runs once per connection, a few hundred to a few thousand times a second, so C2
      # reaches it only after tens of thousands of connections (HotSpot's tier-4 thresholds count
      # invocations): after 3 x 3 s both clients were still getting faster during measurement (raw
      # Netty TLS 219 -> 1,100 ops/s over 20 s, taps SOCKS5 150 -> 3,200 over 30 s), and the ratio
      # measured who compiles first; hence 20 x 2 s of warm-up. TLS gets 40: with -XX:+LogCompilation
      # (session 21, pinned) C2 worked 31.6 s on taps' handshake fork and was still at it 50-60 s in
      # (2.3 s of that window), against raw Netty's 19.0 s, done by 40 s; taps' TCP and SOCKS5 forks
      # were done by 20-30 s (13.8 and 14.9 s of C2).
      local warmup=20
      [ "$figure" = TLS ] && warmup=40
      local name="setup-$round-$library-$figure"
      # 8 x 1.5 s measured, not 4: the machine's slow and fast levels (~1.5x) last seconds, and with
      # 6 s a fork could sit wholly at one: session 16's TLS pairs read 0.84 / 0.80 / 1.08 where a
      # back-to-back pair of 30 x 2 s forks, both at steady state, read 1,168 against 1,190 (0.98).
      FRESH_NETNS=1 jmh 300 "$OUT/$name.json" -f 1 -wi "$warmup" -w 2s -i 8 -r 1500ms "${select[@]}" > "$OUT/$name.log" 2>&1 \
        || { tail -50 "$OUT/$name.log"; echo "set-up figures round $round ($library $figure) FAILED (log: $OUT/$name.log)" >&2; exit 1; }
      FILES+=("$OUT/$name.json")
    done
  done
}

# isolated_per_library ROUND PREFIX BENCHMARK LABEL JMH_ARGS...: one JMH run of BENCHMARK per library of
# ROUND (order alternating, see alternating), each through isolated (a network namespace of its own);
# files PREFIX-ROUND-LIBRARY.json, a round for Report like the other figures' files.
isolated_per_library() {
  local round=$1 prefix=$2 benchmark=$3 label=$4 library name
  shift 4
  for library in $(alternating "$round"); do
    name="$prefix-$round-$library"
    isolated 600 "$OUT/$name.json" -f 1 "$@" "\\.$benchmark\\.$library\$" > "$OUT/$name.log" 2>&1 \
      || { tail -50 "$OUT/$name.log"; echo "$label round $round ($library) FAILED (log: $OUT/$name.log)" >&2; exit 1; }
    FILES+=("$OUT/$name.json")
  done
}

# scale_figure ROUND: figure 12 (N idle-then-active connections on one listener: echo rate, heap per
# connection, RSS, the server's allocation per echo), one server library after the other. Ten 2 s warm-up iterations and two measured,
# the same for every library. With one warm-up iteration the echo rows measured the second 2 s of the
# fork: at 10,000 connections taps' server echoed 1.1-2.5 sweeps/s there against a steady 2.4-3.7, raw
# Netty already near its steady rate (session 16), so the row compared who compiles first. With four,
# the 1,000-connection echo still did: raw Netty's server swept 27.2 -> 27.8 -> 28.7 times a second
# over iterations 4-6 in session 20's run and 40.9 flat in session 21's round 1, taps' 25.4 -> 32.7 ->
# 34.0 and then 16.8 -> 24.7 -> 24.3 (the row read 1.18, then 0.60); with ten, raw Netty's still
# climbed 14.3 -> 43.1 in one round of three, so the rounds' median decides. In every round since
# session 21; run once after the rounds before, the RSS of raw Netty's server at 1,000 connections
# read 88.8 MiB in session 20's run and 99.2 MiB in a fork of the same jar (taps 105 and 104), so one
# fork a side decided the RSS rows. ~35 s per fork. Files scale-ROUND-LIBRARY.json.
scale_figure() {
  isolated_per_library "$1" scale Scale "figure 12" -wi 10 -w 2s -i 2 -r 2s -p workload="$(IFS=,; echo "${SCALE_N[*]}")"
}

# racing_figure ROUND: figure 13 (establishment time against candidate count), one client library
# after the other (so no library inherits the TIME_WAIT sockets of another's ~10^5 connections; JMH's
# name order used to run taps last), and 15 x 2 s of warm-up. With four (session 16), pinned, taps'
# 1-leaf establishment was still compiling: 4.7 ms -> 113 us over its first 26 s (60% more methods
# compiled than raw Netty's loop, C2 sharing the one pinned CPU), raw Netty's 356 -> ~120 us within
# 6 s, so the figure read 0.45 where the steady state is ~1.0. In every round since session 21; run
# once before, its 4-leaf row read 1.55 in session 19's run and 0.56 in session 20's, so one fork a
# side decided the row as it did the single pairs of the other figures before they ran in rounds.
# 5 x 1 s measured (3 before): ~37 s per benchmark, about 5 min per round for taps and raw Netty.
# Files candidates-ROUND-LIBRARY.json.
racing_figure() {
  isolated_per_library "$1" candidates Candidates "figure 13" -wi 15 -w 2s -i 5 -r 1s
}

# first_message TIMEOUT RESULT_FILE JMH_ARGS...: figure 10 (FirstMessage, plain TCP vs TCP Fast Open)
# alone, inside a throw-away network namespace (unshare -n) whose net.ipv4.tcp_fastopen is 3, so
# both sides may use Fast Open without touching the host's sysctl; set before the JVM starts, since
# Netty reads it once. Needs root and unshare. JMH_ARGS select the benchmarks. Each call gets a
# namespace of its own; the other figures stay in the host's namespace.
first_message() {
  local limit=$1 result=$2
  shift 2
  if [ "${#FRESH[@]}" = 0 ]; then
    echo "figure 10 (TCP Fast Open) needs root and unshare for its network namespace" >&2
    return 1
  fi
  timeout "$limit" unshare -n sh -c 'ip link set lo up && sysctl -q -w net.ipv4.tcp_fastopen=3 && exec "$@"' sh \
    "${PIN[@]}" "$JAVA" $JVM_FLAGS -jar "$JAR" -foe true -to 60s -jvmArgsAppend "$JVM_FLAGS" -rf json -rff "$result" \
    "$@"
}

if [ "$MODE" = smoke ]; then
  TITLE="taps benchmarks, SMOKE run (1 x 0.5 s per benchmark, no warm-up, not forked, unpinned, GC profiler on): smoke numbers, not measurements"
  jmh 300 "$OUT/smoke.json" -f 0 -wi 0 -i 1 -r 500ms -prof gc -e FirstMessage,Scale,Candidates > "$OUT/smoke.log" 2>&1 \
    || { tail -50 "$OUT/smoke.log"; echo "smoke run FAILED (log: $OUT/smoke.log)" >&2; exit 1; }
  first_message 120 "$OUT/first-message-smoke.json" -f 0 -wi 1 -w 500ms -i 1 -r 500ms FirstMessage > "$OUT/first-message-smoke.log" 2>&1 \
    || { tail -50 "$OUT/first-message-smoke.log"; echo "figure 10 smoke run FAILED" >&2; exit 1; }
  # Figure 12 with 1,000 connections only: the smoke run checks the harness.
  isolated 120 "$OUT/scale-smoke.json" -f 0 -wi 0 -i 1 -r 500ms -p workload=1000 Scale > "$OUT/scale-smoke.log" 2>&1 \
    || { tail -50 "$OUT/scale-smoke.log"; echo "figure 12 smoke run FAILED" >&2; exit 1; }
  isolated 120 "$OUT/candidates-smoke.json" -f 0 -wi 0 -i 1 -r 500ms Candidates > "$OUT/candidates-smoke.log" 2>&1 \
    || { tail -50 "$OUT/candidates-smoke.log"; echo "figure 13 smoke run FAILED" >&2; exit 1; }
  NOT_RUN=(Scale:10000 Scale:50000)
  NOTES=("smoke run: figure 12 with 1,000 connections only")
  FILES=("$OUT/smoke.json" "$OUT/first-message-smoke.json" "$OUT/scale-smoke.json" "$OUT/candidates-smoke.json")
  ALLOC=()
else
  pinning=${CPUS:+pinned to CPU $CPUS (taskset)}
  TITLE="taps benchmarks, full run: $ROUNDS rounds x (steady figures 5 x 3 s warm-up and 4 x 1.5 s measured; DTLS 10 x 3 s warm-up; connection set-up 20 x 2 s warm-up (TLS 40) and 8 x 1.5 s measured; first message 12 x 2 s warm-up, 4 x 1.5 s measured, 2 forks; figure 13 15 x 2 s warm-up and 5 x 1 s measured; figure 12 10 x 2 s warm-up and 2 x 2 s measured; 1 fork otherwise; the libraries of a figure back to back, first library alternating per round); ${pinning:-unpinned}; allocation from a separate -prof gc run"
  FILES=()
  FLOW_WORKLOADS=$(workloads io.taps.benchmarks.Flows.netty)
  FLOW_WORKLOADS_netty=$FLOW_WORKLOADS
  FLOW_WORKLOADS_taps=$(workloads io.taps.benchmarks.Flows.taps)
  FLOW_WORKLOADS_reactor=$(workloads io.taps.benchmarks.Flows.reactor)
  if [ -z "$FLOW_WORKLOADS" ] || [ -z "$FLOW_WORKLOADS_taps" ]; then
    echo "could not list the workloads of the Flows benchmarks (java -jar $JAR -lp)" >&2
    exit 1
  fi
  for round in $(seq 1 "$ROUNDS"); do
    echo "Round $round of $ROUNDS ($(( $(date +%s) - START )) s elapsed) ..."
    steady_figures "$round"
    setup_figures "$round"
    # Two forks per library: the machine runs everything ~1.5x slower for seconds at a time (both
    # libraries, the same context switches per operation, no JIT difference: session 16), so one
    # fork per library made the round's ratio the luck of which level each fork drew.
    # One JMH run per workload and library, each in a network namespace of its own, the libraries of
    # a workload back to back and the first library alternating per round, as for figures 4 and 5.
    # In one JMH run for all of them (JMH orders by name: netty, reactor, taps) the forks grew slower
    # along the run (session 18's: 134, 155, 118, 164, 195, 200, 214, 213, 183, 173 us), and taps,
    # always last, read 0.68-0.78 of raw Netty in five of six runs; forks each in a fresh namespace
    # and JMH run, alternating, read taps 122-125 us against raw Netty's 129-146 (session 19, quiet).
    for workload in TCP TFO; do
      for library in $(alternating "$round"); do
        [ "$library" = reactor ] && [ "$workload" = TFO ] && continue
        first_message 600 "$OUT/first-message-$round-$library-$workload.json" -f 2 -wi 12 -w 2s -i 4 -r 1500ms \
          -p workload="$workload" "\\.FirstMessage\\.$library\$" > "$OUT/first-message-$round-$library-$workload.log" 2>&1 \
          || { tail -50 "$OUT/first-message-$round-$library-$workload.log"; echo "figure 10 round $round ($library $workload) FAILED" >&2; exit 1; }
        FILES+=("$OUT/first-message-$round-$library-$workload.json")
      done
    done
    racing_figure "$round"
    scale_figure "$round"
  done
  echo "Allocation run ($(( $(date +%s) - START )) s elapsed) ..."
  jmh 300 "$OUT/alloc.json" -f 1 -wi 2 -w 3s -i 3 -r 2s -prof gc -p workload=TCP,TLS,UDP '\.Flows\.' > "$OUT/alloc.log" 2>&1 \
    || { tail -50 "$OUT/alloc.log"; echo "allocation run FAILED (log: $OUT/alloc.log)" >&2; exit 1; }
  ALLOC=("$OUT/alloc.json")
  if [ "${#FRESH[@]}" -gt 0 ]; then
    NOTES+=("figures 4, 5 and the SOCKS5 row: each client library in a fresh network namespace of its own every round (same kernel state, no TIME_WAIT inherited from the forks before), order alternating between rounds")
  else
    NOTES+=("figures 4, 5 and the SOCKS5 row ran in the host's network namespace (unshare -n needs root): a client inherits the TIME_WAIT sockets of the forks before it")
  fi
  if [ "$REACTOR_ROUNDS" -lt "$ROUNDS" ]; then
    NOTES+=("Reactor Netty cells: from the first $REACTOR_ROUNDS of the $ROUNDS rounds (BENCH_REACTOR_ROUNDS) and the allocation run")
  fi
fi

echo
# --check: a cell without a result (a benchmark or profiler that produced nothing) fails the run,
# except in the rows this run left out on purpose (--not-run, each with a --note saying why).
if [ "$MODE" = full ] && [ -n "$CPUS" ]; then
  PINNING="all benchmarks on CPU $CPUS (taskset -c $CPUS), the scale benchmark's server process too"
else
  PINNING="unpinned"
fi
REPORT_ARGS=(--pinning "$PINNING")
if [ "${#NOT_RUN[@]}" -gt 0 ]; then
  REPORT_ARGS+=(--not-run "$(IFS=,; echo "${NOT_RUN[*]}")")
fi
for note in "${NOTES[@]}"; do
  REPORT_ARGS+=(--note "$note")
done
# The allocation run counts for the B/op rows only (--allocation), not as one more round of the others.
for file in "${ALLOC[@]}"; do
  REPORT_ARGS+=(--allocation "$file")
done
"$JAVA" $JVM_FLAGS -cp "$JAR" io.taps.benchmarks.Report --check --title "$TITLE" "${REPORT_ARGS[@]}" "${FILES[@]}"
echo "command: ./benchmarks/run.sh${1:+ $1}   elapsed: $(( $(date +%s) - START )) s   results: $OUT"
