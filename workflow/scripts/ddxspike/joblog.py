"""A job's progress log: every line to the rule's log file and, tagged, to stderr, so a long job
shows life in the terminal and leaves a record beside its outputs."""

import sys


def job_logger(log_path, tag: str):
    log_file = open(log_path, "w", buffering=1)

    def log(msg):
        print(msg, file=log_file)
        print(f"[{tag}] {msg}", file=sys.stderr, flush=True)

    return log
