# Git subtree (sub-question 2, H3): pristine repositories per (size, commits), then every
# operation timed on fresh copies of them. One job per cell, operations interleaved inside it.
# A real upstream (subtree.upstreams) is a cell too: {size} is its name, cloned into the cell.


rule subtree_fixtures:
    output:
        repos=directory(f"{SCRATCH}/subtree/{{size}}/c{{commits}}"),
        info="results/subtree/fixtures/{size}-c{commits}.json",
        manifest="results/subtree/manifests/{size}-c{commits}.parquet",
    log:
        "results/logs/subtree/fixtures-{size}-c{commits}.log",
    benchmark:
        "results/benchmarks/subtree_fixtures/{size}/{commits}.tsv"
    wildcard_constraints:
        commits="[0-9]+",
    conda:
        "../../envs/generate.yaml"
    threads: 1
    params:
        spec=subtree_library_spec,
        upstream=subtree_upstream,
        seed=config["seed"],
        split=config["library_split"],
        prefix=config.get("subtree", {}).get("prefix"),
        advance=config.get("subtree", {}).get("advance_commits"),
        touch_every=config.get("subtree", {}).get("touch_every"),
    script:
        "../scripts/subtree_fixtures.py"


rule measure_subtree:
    input:
        info="results/subtree/fixtures/{size}-c{commits}.json",
        manifest="results/subtree/manifests/{size}-c{commits}.parquet",
        repos=f"{SCRATCH}/subtree/{{size}}/c{{commits}}",
    output:
        "results/subtree/{size}/c{commits}.parquet",
    log:
        "results/logs/subtree/{size}-c{commits}.log",
    benchmark:
        "results/benchmarks/measure_subtree/{size}/{commits}.tsv"
    wildcard_constraints:
        commits="[0-9]+",
    conda:
        "../../envs/measure.yaml"
    # Timed jobs take every core so that nothing runs beside them.
    threads: workflow.cores
    params:
        size=lambda wc: wc.size,
        repo_kind=lambda wc: repository(wc.size).kind,
        subtree=config.get("subtree"),
        operations=subtree_operations(),
        # DDX's own binary; its sha256 reruns the cells when the binary changes.
        ddx={
            "binary": DDX_CONFIGURED,
            "sha256": DDX_SHA256,
            "timeout_s": ddxcli.settings(config)["timeout_s"],
        },
    script:
        "../scripts/measure_subtree.py"
