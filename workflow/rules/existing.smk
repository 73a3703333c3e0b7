# Real repositories (config existing_repos), measured in place and never written to: their ground
# truth comes from git ls-files + lstat, in the generator's manifest format, so every experiment
# checks its answers on them exactly as on a generated size.


ruleorder: manifest_existing > generate_library


rule manifest_existing:
    input:
        repo=existing_repo,
    output:
        manifest="results/manifests/{size}.parquet",
        summary="results/manifests/{size}.json",
    log:
        "results/logs/manifest_existing/{size}.log",
    benchmark:
        "results/benchmarks/manifest_existing/{size}.tsv"
    wildcard_constraints:
        size=existing_names_pattern(),
    conda:
        "../../envs/generate.yaml"
    params:
        state=existing_state,
        library=lambda wc: repository(wc.size).library,
    script:
        "../scripts/manifest_existing.py"
