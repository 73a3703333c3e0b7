#!/usr/bin/env bash
# A stand-in for sbatch, for tests: runs the Snakemake jobscript (last argument) as a detached
# background process of its own and prints a job id, as a cluster's submit command does.
# It records what a real scheduler would be asked for (cpus, memory, extra flags) and the job's
# properties in <log_dir>/submissions.jsonl, so a test can check groups and resources.
# usage: submit.sh <log_dir> <cpus> <mem_mb> <runtime_min> <extra> <jobscript>
set -euo pipefail
log_dir=$1 cpus=$2 mem_mb=$3 runtime=$4 extra=$5
jobscript=${*: -1}
mkdir -p "$log_dir"
id="local-$(date +%s%N)-$$"
props=$(sed -n 's/^# properties = //p' "$jobscript")
printf '{"id": "%s", "cpus": "%s", "mem_mb": "%s", "runtime": "%s", "extra": "%s", "properties": %s}\n' \
    "$id" "$cpus" "$mem_mb" "$runtime" "$extra" "${props:-null}" >> "$log_dir/submissions.jsonl"
setsid nohup bash "$jobscript" > "$log_dir/$id.out" 2>&1 < /dev/null &
echo "$id"
