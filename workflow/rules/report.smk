# The spike document: scaling fits, bottleneck profiles and the findings page (with hypotheses,
# targets, size policy and recommendations), all computed from the tidy measurement table.


rule fit_scaling:
    input:
        measurements="results/measurements.parquet",
        hosts="results/hosts.parquet",
    output:
        report(
            "results/fits.parquet",
            caption="../report/fits_parquet.rst",
            category="7. Data",
        ),
    log:
        "results/logs/report/fit_scaling.log",
    benchmark:
        "results/benchmarks/fit_scaling.tsv"
    conda:
        "../../envs/report.yaml"
    params:
        exclude=fit_exclusions(),
    script:
        "../scripts/fit_scaling.py"


# Untimed: cProfile slows the code several-fold, so profiles never feed the timings.
rule profile_bottlenecks:
    input:
        unpack(profiled_subtree_cell),
        measurements="results/measurements.parquet",
        hosts="results/hosts.parquet",
        repo=lambda wc: repository(largest_library()).path,
    output:
        table="results/profiles/bottlenecks.parquet",
        html=report(
            "results/report/bottlenecks.html",
            caption="../report/bottlenecks.rst",
            category="0. Findings",
            labels={"page": "bottlenecks"},
        ),
    log:
        "results/logs/report/profile_bottlenecks.log",
    benchmark:
        "results/benchmarks/profile_bottlenecks.tsv"
    conda:
        "../../envs/report.yaml"
    params:
        size=largest_library(),
        strategies=python_discovery_strategies(),
        page_size=config["discovery"].get("page_size", 50),
        profile=config["report"]["profile"],
        git_operations=config["report"]["h3"]["strategies"],
        sparse_dirs=config.get("subtree", {}).get("sparse_dirs", []),
    script:
        "../scripts/profile_bottlenecks.py"


rule render_findings:
    input:
        measurements="results/measurements.parquet",
        hosts="results/hosts.parquet",
        fits="results/fits.parquet",
        profiles="results/profiles/bottlenecks.parquet",
    output:
        findings=report(
            "results/report/findings.html",
            caption="../report/findings.rst",
            category="0. Findings",
            labels={"page": "findings"},
        ),
        tables=report(
            "results/report/tables.html",
            caption="../report/findings_tables.rst",
            category="0. Findings",
            labels={"page": "fits, targets and cells"},
        ),
        environment=report(
            "results/report/environment.html",
            caption="../report/findings_environment.rst",
            category="6. Environment",
        ),
        targets=report(
            "results/targets.parquet",
            caption="../report/targets_parquet.rst",
            category="7. Data",
        ),
        summary_text=report(
            "results/report/executive_summary.txt",
            caption="../report/executive_summary.rst",
            category="0. Findings",
            labels={"page": "executive summary (text)"},
        ),
        results_md=report(
            "results/report/TS-001-results.md",
            caption="../report/ts001_results.rst",
            category="0. Findings",
            labels={"page": "TS-001 results (Markdown)"},
        ),
    log:
        "results/logs/report/render_findings.log",
    benchmark:
        "results/benchmarks/render_findings.tsv"
    conda:
        "../../envs/report.yaml"
    params:
        targets=config["targets"],
        report=config["report"],
        exclude=fit_exclusions(),
        ddx_note="" if DDX_BINARY else ddxcli.not_measured_note(config),
    script:
        "../scripts/render_findings.py"
