#!/usr/bin/env bash
# The full benchmark run documented in docs/benchmarks.md: one JMH JSON per scenario under
# benchmarks/results/, then the memory, database-load and cluster programs. About 17 minutes on 2 cores.
# Build first: mvn -B -pl presence-core,presence-mongo,presence-redis install -DskipTests && mvn -B -pl benchmarks package -Dsmoke.skip
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=benchmarks/target/benchmarks.jar
OPTS=(-f 1 -wi 3 -i 5 -w 1s -r 2s)
for b in IsOnline Churn ReadMostlyMix Enrichment HeartbeatSweep FanoutLargeRoom FanoutSparseAudience; do
  lc=$(echo "$b" | tr 'A-Z' 'a-z')
  java -jar "$JAR" "${b}Benchmark" "${OPTS[@]}" -rf json -rff "benchmarks/results/$lc.json"
done
java -jar "$JAR" ChurnBenchmark -p impl=spring,presence "${OPTS[@]}" -prof gc -rf json -rff benchmarks/results/churn-gc.json
java -jar "$JAR" EnrichmentBenchmark -p impl=presence "${OPTS[@]}" -prof gc -rf json -rff benchmarks/results/enrichment-gc.json
java -Xmx4g -cp "$JAR" dev.presence.benchmarks.MemoryPerSession 1000000 | tee benchmarks/results/memory-per-session.txt
java -cp "$JAR" dev.presence.benchmarks.DatabaseLoadReproduction > benchmarks/results/database-load.md
# Clustered presence (needs redis-server on PATH; each starts its own on a free loopback port)
java -jar "$JAR" ClusterIsOnlineBenchmark -f 1 -wi 2 -i 3 -w 1s -r 1s -rf json -rff benchmarks/results/cluster-isonline.json
java -cp "$JAR" dev.presence.benchmarks.ClusterPropagation 20000 | tee benchmarks/results/cluster-propagation.txt
