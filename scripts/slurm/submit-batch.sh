#!/bin/bash
# Submit a batch of liqstress scenarios to Slurm and, at its end, a summary job
# (`liqstress compare` over the batch's results). See scripts/slurm/README.md.
#
#   scripts/slurm/submit-batch.sh configs/stress/*.toml
#       one array task per scenario (scenario-array.sbatch) -> results/<name>.h5,
#       then summary.sbatch after all of them -> results/summary.txt
#   scripts/slurm/submit-batch.sh --shards 8 --shard-paths 50000 configs/a.toml configs/b.toml
#       per scenario an array of 8 path shards (shard-array.sbatch) and a merge job
#       (merge.sbatch, --dependency=afterok:<array>) -> results/<name>.h5,
#       then summary.sbatch after every merge
#
# Run it from the folder relative paths refer to (the jobs start there). Job ids are read
# with `sbatch --parsable`; the jobs depend on each other with afterok and
# --kill-on-invalid-dep=yes, so a failed task cancels what waits on it.
set -euo pipefail
export LC_ALL=C

usage() {
    cat <<'EOF'
usage: submit-batch.sh [options] SCENARIO.toml...
       submit-batch.sh [options] --list FILE
options:
  --list FILE          scenarios from FILE (one path per line, # comments) besides arguments
  --shards K           run each scenario as K path shards plus a merge job
  --shard-paths N      paths per shard (with --shards; default: simulation.paths / K is
                       NOT guessed: give N, or --paths TOTAL to split TOTAL over K shards)
  --paths N            paths per scenario (--paths for liqstress run; with --shards the
                       total that the K shards split, the last taking the remainder)
  --seed S             seed for every run (default: each scenario's simulation.seed)
  --backend B          auto (default), cpu or cuda
  --threads T          CPU threads per task (default: the task's --cpus-per-task)
  --force              replace existing results files
  --results DIR        results folder (default results)
  --logs DIR           log folder (default logs; created)
  --liqstress PATH     the binary (default: $LIQSTRESS, liqstress on PATH, build/release/liqstress)
  --sbatch-args ARGS   more sbatch options for every job, one string
                       (e.g. "--partition=gpu --gres=gpu:1 --account=risk --time=2:00:00")
  --compare-with FILES results to compare each merged run against in its merge job's log
  --local              no Slurm: run the same job scripts here, one after another, with the
                       SLURM_* variables they read set (a dry run of the batch on a laptop)
  --dry-run            print the sbatch commands instead of submitting
  -h, --help           this text
Prints the job ids; the last line is "summary job <id>: <summary file>".
EOF
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
scenarios=() lists=() shards=0 shard_paths="" total_paths="" results=results logs=logs
sbatch_args="" local_mode=0 dry_run=0 compare_with=""
while (($#)); do
    case $1 in
        --list) lists+=("$2"); shift 2 ;;
        --shards) shards=$2; shift 2 ;;
        --shard-paths) shard_paths=$2; shift 2 ;;
        --paths) total_paths=$2; shift 2 ;;
        --seed) export LIQ_SEED=$2; shift 2 ;;
        --backend) export LIQ_BACKEND=$2; shift 2 ;;
        --threads) export LIQ_THREADS=$2; shift 2 ;;
        --force) export LIQ_FORCE=1; shift ;;
        --results) results=$2; shift 2 ;;
        --logs) logs=$2; shift 2 ;;
        --liqstress) LIQSTRESS=$2; shift 2 ;;
        --sbatch-args) sbatch_args=$2; shift 2 ;;
        --compare-with) compare_with=$2; shift 2 ;;
        --local) local_mode=1; shift ;;
        --dry-run) dry_run=1; shift ;;
        -h|--help) usage; exit 0 ;;
        --) shift; scenarios+=("$@"); break ;;
        -*) echo "submit-batch.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
        *) scenarios+=("$1"); shift ;;
    esac
done
for l in "${lists[@]}"; do
    [[ -f $l ]] || { echo "submit-batch.sh: no list file $l" >&2; exit 2; }
    mapfile -t -O "${#scenarios[@]}" scenarios < <(sed -e 's/#.*//' -e 's/^[[:space:]]*//' \
        -e 's/[[:space:]]*$//' "$l" | grep -v '^$' || true)
done
((${#scenarios[@]})) || { echo "submit-batch.sh: no scenarios given" >&2; usage >&2; exit 2; }

# Every scenario exists and has its own name (results/<name>.h5 must not collide).
declare -A seen=()
for s in "${scenarios[@]}"; do
    [[ -f $s ]] || { echo "submit-batch.sh: no scenario file $s" >&2; exit 2; }
    n=$(basename "$s" .toml)
    [[ -z ${seen[$n]:-} ]] || { echo "submit-batch.sh: two scenarios named $n: ${seen[$n]} and $s" >&2; exit 2; }
    seen[$n]=$s
done

# The binary, as an absolute path for the jobs.
if [[ -z ${LIQSTRESS:-} ]]; then
    LIQSTRESS=$(command -v liqstress || echo "$PWD/build/release/liqstress")
fi
[[ -x $LIQSTRESS ]] || { echo "submit-batch.sh: liqstress binary not found: $LIQSTRESS (--liqstress)" >&2; exit 2; }
LIQSTRESS=$(cd "$(dirname "$LIQSTRESS")" && pwd)/$(basename "$LIQSTRESS")
export LIQSTRESS RESULTS_DIR=$results

if ((shards > 0)); then
    [[ $shards =~ ^[1-9][0-9]*$ ]] || { echo "submit-batch.sh: --shards $shards" >&2; exit 2; }
    if [[ -z $shard_paths ]]; then
        [[ -n $total_paths ]] || { echo "submit-batch.sh: --shards needs --shard-paths N or --paths TOTAL" >&2; exit 2; }
        shard_paths=$(((total_paths + shards - 1) / shards))
    fi
    if [[ -n $total_paths ]]; then
        export TOTAL_PATHS=$total_paths
        shards=$(((total_paths + shard_paths - 1) / shard_paths))
    fi
    export SHARD_PATHS=$shard_paths
elif [[ -n $total_paths ]]; then
    export LIQ_PATHS=$total_paths
fi

mkdir -p "$logs" "$results"
read -r -a extra_sbatch <<< "$sbatch_args"
# Log files follow the scripts' #SBATCH --output patterns, but in the --logs folder.
log_pattern() {  # script -> pattern with %x %A %a %j
    local p
    p=$(sed -n 's/^#SBATCH[[:space:]]\{1,\}--output=//p' "$1" | head -n1)
    echo "$logs/$(basename "$p")"
}
job_name() { sed -n 's/^#SBATCH[[:space:]]\{1,\}--job-name=//p' "$1" | head -n1; }

# submit SCRIPT ARRAY DEPENDENCY [VAR=VALUE...]: sets JOBID (not a subshell: --local keeps
# state). ARRAY is "" or "0-N"; DEPENDENCY "" or job ids joined by ":".
declare -A local_failed=()
local_next=$(($$ * 1000 + 1))   # --local and --dry-run ids, unique per invocation
submit() {
    local script=$here/$1 array=$2 dep=$3
    shift 3
    if ((local_mode)); then
        submit_local "$script" "$array" "$dep" "$@"
        return
    fi
    local cmd=(sbatch --parsable --output="$(log_pattern "$script")")
    [[ -n $array ]] && cmd+=(--array="$array")
    [[ -n $dep ]] && cmd+=(--dependency="afterok:$dep" --kill-on-invalid-dep=yes)
    cmd+=("${extra_sbatch[@]}" "$script")
    if ((dry_run)); then
        echo "${*@Q} ${cmd[*]@Q}"
        JOBID="DRYRUN$((local_next++))"
        return
    fi
    local out
    out=$(env "$@" "${cmd[@]}") || { echo "submit-batch.sh: sbatch failed: ${*@Q} ${cmd[*]@Q}" >&2; exit 3; }
    JOBID=${out%%;*}   # --parsable prints "jobid" or "jobid;cluster"
}

# The same job without Slurm: every array index in turn, in the foreground.
submit_local() {
    local script=$1 array=$2 dep=$3
    shift 3
    local id=$((local_next++)) name pattern d failed=0 lo hi i log
    name=$(job_name "$script")
    pattern=$(log_pattern "$script")
    for d in ${dep//:/ }; do
        [[ -n ${local_failed[$d]:-} ]] && failed=1
    done
    if ((failed)); then
        echo "local job $id ($name): a dependency failed, not run" >&2
        local_failed[$id]=1
        JOBID=$id
        return
    fi
    if [[ -n $array ]]; then lo=${array%-*} hi=${array#*-}; else lo="" hi=""; fi
    for ((i = ${lo:-0}; i <= ${hi:-0}; i++)); do
        log=${pattern//%x/$name}
        log=${log//%A/$id}
        log=${log//%a/$i}
        log=${log//%j/$id}
        local vars=(SLURM_JOB_ID="$id" SLURM_JOB_NAME="$name" SLURM_SUBMIT_DIR="$PWD"
                    SLURM_CPUS_PER_TASK=1 SLURM_NTASKS=1 SLURM_JOB_NUM_NODES=1)
        [[ -n $array ]] && vars+=(SLURM_ARRAY_JOB_ID="$id" SLURM_ARRAY_TASK_ID="$i"
                                 SLURM_ARRAY_TASK_MIN="$lo" SLURM_ARRAY_TASK_MAX="$hi"
                                 SLURM_ARRAY_TASK_COUNT=$((hi - lo + 1)))
        if ! env "$@" "${vars[@]}" bash "$script" > "$log" 2>&1; then
            echo "local job $id ($name${array:+ task $i}) failed: see $log" >&2
            local_failed[$id]=1
        fi
    done
    JOBID=$id
}

results_files=() waits=()
if ((shards == 0)); then
    list="$logs/batch-$(date -u +%Y%m%d-%H%M%S)-$$.scenarios"
    printf '%s\n' "${scenarios[@]}" > "$list"
    submit scenario-array.sbatch "0-$((${#scenarios[@]} - 1))" "" SCENARIOS="$list"
    array_id=$JOBID
    echo "scenario array job $array_id: ${#scenarios[@]} scenario(s) from $list"
    waits+=("$array_id")
    for s in "${scenarios[@]}"; do results_files+=("$results/$(basename "$s" .toml).h5"); done
else
    for s in "${scenarios[@]}"; do
        name=$(basename "$s" .toml)
        submit shard-array.sbatch "0-$((shards - 1))" "" SCENARIO="$s"
        array_id=$JOBID
        submit merge.sbatch "" "$array_id" SCENARIO="$s" SHARDS="$shards" COMPARE_WITH="$compare_with"
        merge_id=$JOBID
        echo "shard array job $array_id: $name in $shards shard(s) of $SHARD_PATHS paths; merge job $merge_id"
        waits+=("$merge_id")
        results_files+=("$results/$name.h5")
    done
fi
deps=$(IFS=:; echo "${waits[*]}")
submit summary.sbatch "" "$deps" RESULTS_FILES="${results_files[*]}" \
       SUMMARY_FILE="$results/summary.txt" SUMMARY_JSON="$results/summary.json"
echo "summary job $JOBID: $results/summary.txt"
if ((local_mode && ${#local_failed[@]})); then
    echo "submit-batch.sh --local: ${#local_failed[@]} job(s) failed or were not run" >&2
    exit 1
fi
