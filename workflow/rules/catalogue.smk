# Workflow catalogue (sub-question 3, H5, FEAT-005, ADR-006): catalogues of N HELIX workflows
# and real libraries' workflows/ (read in place), the persistent index of each, then every
# strategy on every catalogue (one job per pair).


ruleorder: catalogue_truth_existing > generate_catalogue


rule generate_catalogue:
    input:
        code=catalogue_producer_sources("generate", "helix", "vocabulary")
        + catalogue_module_sources("query"),
    output:
        library=directory(f"{SCRATCH}/catalogue/{{catalogue}}/library"),
        truth="results/manifests/catalogue/{catalogue}.json",
    log:
        "results/logs/catalogue/generate-{catalogue}.log",
    benchmark:
        "results/benchmarks/generate_catalogue/{catalogue}.tsv"
    wildcard_constraints:
        catalogue="[a-z0-9][a-z0-9_-]*",
    conda:
        "../../envs/generate.yaml"
    threads: 1
    params:
        spec=catalogue_spec,
        seed=config["seed"],
    script:
        "../scripts/generate_catalogue.py"


# A real library's truth: the workflow.yml files git tracks, parsed with the validity rules.
rule catalogue_truth_existing:
    input:
        manifest="results/manifests/{catalogue}.parquet",
        code=catalogue_producer_sources("real_library", "generate")
        + catalogue_module_sources("record", "query"),
    output:
        truth="results/manifests/catalogue/{catalogue}.json",
    log:
        "results/logs/catalogue/truth-{catalogue}.log",
    benchmark:
        "results/benchmarks/catalogue_truth_existing/{catalogue}.tsv"
    wildcard_constraints:
        catalogue=existing_names_pattern(),
    conda:
        "../../envs/generate.yaml"
    threads: 1
    params:
        repo=lambda wc: repository(wc.catalogue).path,
        library=lambda wc: repository(wc.catalogue).library,
        queries_per_kind=lambda wc: config["catalogue"]["queries_per_kind"],
        seed=config["seed"],
    script:
        "../scripts/catalogue_truth_existing.py"


# The persistent index as DDX would keep it (under results/, also for a real library); measure
# jobs use private copies of it.
rule build_catalogue_index:
    input:
        library=catalogue_library,
        code=catalogue_module_sources("index", "scan", "record"),
    output:
        "results/catalogue/{catalogue}/index.json",
    log:
        "results/logs/catalogue/index-{catalogue}.log",
    benchmark:
        "results/benchmarks/build_catalogue_index/{catalogue}.tsv"
    wildcard_constraints:
        catalogue="[a-z0-9][a-z0-9_-]*",
    conda:
        "../../envs/measure.yaml"
    threads: 1
    script:
        "../scripts/build_catalogue_index.py"


rule measure_catalogue:
    input:
        library=catalogue_library,
        truth="results/manifests/catalogue/{catalogue}.json",
        index="results/catalogue/{catalogue}/index.json",
        code=catalogue_code,
    output:
        "results/catalogue/{catalogue}/{strategy}.parquet",
    log:
        "results/logs/catalogue/{catalogue}/{strategy}.log",
    benchmark:
        "results/benchmarks/measure_catalogue/{catalogue}/{strategy}.tsv"
    wildcard_constraints:
        catalogue="[a-z0-9][a-z0-9_-]*",
    conda:
        "../../envs/measure.yaml"
    # Timed jobs take every core so that nothing runs beside them.
    threads: workflow.cores
    params:
        catalogue=lambda wc: wc.catalogue,
        repo_kind=lambda wc: repository(wc.catalogue).kind,
        strategy=lambda wc: wc.strategy,
        module=lambda wc: config["catalogue"]["strategies"][wc.strategy]["python"],
        budget=catalogue_budget,
        on_mismatch=config["measurement"].get("on_mismatch", "fail"),
        scratch_dir=SCRATCH,
    script:
        "../scripts/measure_catalogue.py"
