# Test repositories: one DDX-shaped library per configured size, with its manifest (ground truth).


rule generate_library:
    output:
        repo=directory(f"{SCRATCH}/{{size}}/repo"),
        manifest="results/manifests/{size}.parquet",
        summary="results/manifests/{size}.json",
    log:
        "results/logs/generate/{size}.log",
    benchmark:
        "results/benchmarks/generate_library/{size}.tsv"
    conda:
        "../../envs/generate.yaml"
    threads: 1
    params:
        spec=lambda wc: config["sizes"][wc.size],
        seed=config["seed"],
        split=config["library_split"],
    script:
        "../scripts/generate_library.py"
