# Input functions of the real-repository rules (config existing_repos; EXISTING in common.smk).

import re

from ddxspike import existing as existing_repos


def existing_names_pattern():
    """Wildcard constraint matching exactly the configured real repositories (none: nothing)."""
    return "|".join(re.escape(n) for n in EXISTING) or "(?!)"


def existing_repo(wc):
    return EXISTING[wc.size]


def existing_state(wc):
    """HEAD and path listing of the repository: a commit or a new file reruns its manifest."""
    return existing_repos.state(EXISTING[wc.size])
