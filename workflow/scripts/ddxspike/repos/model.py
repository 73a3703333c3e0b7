"""One repository model: every repository the experiments measure, by name, as a record that
carries its kind and where it lives. Built once from the config (common.smk: REPOSITORIES); the
rules' input functions and params look a name up here, and the kind travels into every row the
experiments write (column repo_kind), so nothing decodes a kind from a name. Output files keep
the names (results/discovery/edge-empty/...); no code reads meaning from them.

Kinds (the column repo_kind), which say how a row is judged:
- synthetic: generated at a configured scale (sizes; the w<N> catalogues; a subtree cell's
  generated upstream): points on the size axes, the rows the fits take;
- edge: an extreme shape (edge_cases; the bad-input catalogue): judged on its own, never fitted;
- real: a repository people have (existing_repos; a real subtree upstream, an existing_repos
  entry or a bundle): judged apart from the synthetic axes, never fitted.

Sources say what produces a repository: size (generate_library), edge-case (generate_edgecase),
existing (manifest_existing: read in place), catalogue (generate_catalogue), bundle (cloned into
each subtree cell). A name belongs to one repository: two sections naming the same one (a size
and an edge case's output name, a catalogue and a real repository) stop the run here.
"""

import os
from dataclasses import dataclass, field, replace

from ddxspike.errors import ConfigError

SYNTHETIC, EDGE, REAL = "synthetic", "edge", "real"
KINDS = (SYNTHETIC, EDGE, REAL)
# Output names, never parsed: a discovery edge case is measured as edge-<its key>.
EDGE_CASE_NAME = "edge-{}"
BAD_INPUT_CATALOGUE = "edge-bad-workflows"


class RepositoryNameError(ConfigError):
    """Two configured repositories share a name; the message names both config keys."""


@dataclass(frozen=True)
class Repository:
    name: str
    kind: str  # synthetic | edge | real
    source: str  # size | edge-case | existing | catalogue | bundle
    key: str  # where it is configured, e.g. "edge_cases.empty"
    path: str = ""  # the root strategies read (a catalogue: its library; a bundle: the file)
    manifest: str = ""  # its ground truth, results/manifests/... ("" for a catalogue or bundle)
    library: str = ""  # DDX's library folder inside path ("" = path itself)
    folder: str = ""  # the producing rule's directory output, when it is not path (edge case)
    spec: dict = field(default_factory=dict, compare=False)  # the generator's parameters
    experiments: tuple = ()  # discovery | catalogue | subtree

    @property
    def library_path(self) -> str:
        """Where asset listings and the workflow catalogue start."""
        sub = self.library.strip("/")
        return f"{self.path}/{sub}" if sub else self.path


def repositories(config: dict, scratch: str, existing: dict, upstreams: dict) -> dict:
    """name -> Repository of every configured repository. `existing`: name -> ExistingRepo
    (repos/existing.py, checked); `upstreams`: name -> source (subtree_fixtures.check_upstreams,
    checked). Raises RepositoryNameError when two repositories would share a name."""
    out: dict[str, Repository] = {}

    def add(repo: Repository) -> None:
        had = out.get(repo.name)
        if had is None:
            out[repo.name] = repo
        elif (had.source, had.path, had.library) == (repo.source, repo.path, repo.library):
            out[repo.name] = replace(had, experiments=tuple(dict.fromkeys(had.experiments
                                                                          + repo.experiments)))
        else:
            raise RepositoryNameError(
                f"config {repo.key}: the name {repo.name!r} is also config {had.key}; give one "
                "of them another name")

    st = config.get("subtree") or {}
    subtree_sizes = set(st.get("sizes") or []) | ({st["history_size"]} if st else set())
    for name, spec in config["sizes"].items():
        add(Repository(name, SYNTHETIC, "size", f"sizes.{name}", f"{scratch}/{name}/repo",
                       f"results/manifests/{name}.parquet", spec=dict(spec),
                       experiments=("discovery",) + (("subtree",) if name in subtree_sizes else ())))
    cat = config.get("catalogue")
    for name, repo in existing.items():
        workflows = os.path.isdir(os.path.join(repo.path, repo.library, "workflows"))
        add(Repository(name, REAL, "existing", f"existing_repos.{name}", repo.path,
                       f"results/manifests/{name}.parquet", repo.library,
                       experiments=("discovery",) + (("catalogue",) if cat and workflows else ())))
    for case, spec in (config.get("edge_cases") or {}).items():
        folder = f"{scratch}/edge/{case}"
        add(Repository(EDGE_CASE_NAME.format(case), EDGE, "edge-case", f"edge_cases.{case}",
                       f"{folder}/repo", f"results/manifests/edge/{case}.parquet", folder=folder,
                       spec=dict(spec), experiments=("discovery",)))
    for repo in generated_catalogues(config, scratch).values():
        add(repo)
    for name, source in upstreams.items():
        kind = "bundle" if source["kind"] == "bundle" else "existing"
        manifest = f"results/manifests/{name}.parquet" if name in existing else ""
        add(Repository(name, REAL, kind, f"subtree.upstreams.{name}", source["path"], manifest,
                       source["library"], experiments=("subtree",)))
    return out


def generated_catalogues(config: dict, scratch: str = "") -> dict:
    """name -> Repository of the catalogues generate_catalogue makes: w<N> for every workflow
    count, and the bad-input one; spec holds their shape (workflows, invalid)."""
    cat = config.get("catalogue") or {}
    shapes = [(f"w{n}", SYNTHETIC, "catalogue.workflow_counts", {"workflows": int(n), "invalid": 0})
              for n in cat.get("workflow_counts") or []]
    if cat.get("bad_input"):
        shapes.append((BAD_INPUT_CATALOGUE, EDGE, "catalogue.bad_input", dict(cat["bad_input"])))
    return {name: Repository(name, kind, "catalogue", key, f"{scratch}/catalogue/{name}/library",
                             spec=shape, experiments=("catalogue",))
            for name, kind, key, shape in shapes}


def measured_in(repos: dict, experiment: str) -> list:
    """Names of the repositories an experiment measures, in configuration order."""
    return [name for name, r in repos.items() if experiment in r.experiments]
