"""`clean`: remove what was generated under scratch_dir, keep results and real repositories.

Everything under scratch_dir can be regenerated from config (the generator is seeded), so the
repositories and the experiments' copies there go; results/ (manifests, measurements, report)
stays, and so does any configured real repository, whatever its path.
"""

import os
import shutil
from pathlib import Path


class CleanError(RuntimeError):
    pass


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def remove_generated(scratch_dir, generated, keep=(), results="results", log=print) -> list[str]:
    """Remove the entries of scratch_dir named in `generated` (what this config makes there:
    its sizes and the experiments' folders), except those holding a path in `keep`; anything
    else is left alone, so a mistyped scratch_dir cannot wipe a folder of the user's. Returns
    what was removed. Refuses when scratch_dir holds results/ or is a real repository itself."""
    scratch = Path(os.path.realpath(scratch_dir))
    kept = [Path(os.path.realpath(k)) for k in keep]
    if _inside(Path(os.path.realpath(results)), scratch):
        raise CleanError(f"clean: refusing to empty scratch_dir={scratch_dir}: it holds "
                         f"{results}/, which clean must keep")
    if any(_inside(scratch, k) for k in kept):
        raise CleanError(f"clean: refusing: scratch_dir={scratch_dir} lies inside a configured "
                         "existing repository")
    removed = []
    if not scratch.exists():
        log(f"clean: {scratch_dir} does not exist, nothing to remove")
        return removed
    for entry in sorted(scratch.iterdir()):
        if entry.name not in set(generated):
            log(f"clean: leaving {entry} alone (not something this configuration generates)")
            continue
        real = Path(os.path.realpath(entry))
        if any(_inside(k, real) for k in kept):
            log(f"clean: keeping {entry} (holds a configured existing repository)")
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
        removed.append(str(entry))
        log(f"clean: removed {entry}")
    return removed
