# Asset discovery (sub-questions 1, 4, 5; H1, H4): every strategy on every size, real repository
# and edge case, every depth it supports and cache state. One job per (repository, strategy), so
# editing one strategy reruns only its jobs.


# The case's folder, not the repository itself, is the directory output: Snakemake drops a
# .snakemake_timestamp file into directory outputs, which would be one file too many in the repo.
rule generate_edgecase:
    output:
        case=directory(f"{SCRATCH}/edge/{{case}}"),
        manifest="results/manifests/edge/{case}.parquet",
        summary="results/manifests/edge/{case}.json",
    log:
        "results/logs/generate/edge-{case}.log",
    benchmark:
        "results/benchmarks/generate_edgecase/{case}.tsv"
    wildcard_constraints:
        case="[a-z0-9][a-z0-9_-]*",
    conda:
        "../../envs/generate.yaml"
    threads: 1
    params:
        spec=lambda wc: config["edge_cases"][wc.case],
    script:
        "../scripts/generate_edgecase.py"


rule measure_discovery:
    input:
        repo=discovery_repo,
        manifest=discovery_manifest,
        code=discovery_code,
    output:
        "results/discovery/{size}/{strategy}.parquet",
    log:
        "results/logs/discovery/{size}/{strategy}.log",
    benchmark:
        "results/benchmarks/measure_discovery/{size}/{strategy}.tsv"
    conda:
        "../../envs/measure.yaml"
    # Timed jobs take every core so that nothing runs beside them.
    threads: workflow.cores
    params:
        repo=discovery_repo_path,
        library=discovery_library,
        size=lambda wc: wc.size,
        strategy=lambda wc: wc.strategy,
        strategy_spec=lambda wc: config["discovery"]["strategies"][wc.strategy],
        repo_kind=lambda wc: repository(wc.size).kind,
        depths=config["discovery"]["depths"],
        page_size=config["discovery"].get("page_size", 50),
        budget=config["discovery"].get("budget", {}),
        measurement=config["measurement"],
        # DDX's own binary (ddx-binary, ddx-startup); its sha256 makes a new binary rerun them.
        ddx_binary=lambda wc: discovery_ddx(wc)["binary"],
        ddx_sha256=lambda wc: discovery_ddx(wc)["sha256"],
        ddx_timeout_s=config.get("ddx", {}).get("timeout_s", 120),
        scratch_dir=SCRATCH,
        # The persistent file cache lives outside the repository (file-cache strategy).
        cache_dir=lambda wc: f"results/discovery_cache/{wc.size}/{wc.strategy}",
    script:
        "../scripts/measure_discovery.py"
