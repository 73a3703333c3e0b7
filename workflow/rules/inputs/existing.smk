# Input functions of the real-repository rules (config existing_repos: REPOSITORIES in
# common.smk, source "existing").

import re

from ddxspike.repos import existing as existing_repos


def existing_names_pattern():
    """Wildcard constraint matching exactly the configured real repositories (none: nothing)."""
    return "|".join(re.escape(n) for n in existing_names()) or "(?!)"


def existing_repo(wc):
    return repository(wc.size).path


def existing_state(wc):
    """HEAD and path listing of the repository: a commit or a new file reruns its manifest."""
    return existing_repos.state(repository(wc.size).path)
