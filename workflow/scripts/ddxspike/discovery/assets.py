"""Ground truth for strategies that list assets (LISTS = "assets": ddx-list and DDX's own
ddx-binary): one entry "<type>/<child>" per child of the library's type folders, for the
resource types `ddx list` walks (ddx_list.RESOURCE_TYPES, DDX c208478's 9). The library sits at
the repository root or at `library_subdir` inside it. Read from the manifest's binary path
column, so that non-UTF-8 asset names stay exact."""

from ddxspike.discovery.ddx_list import RESOURCE_TYPES
from ddxspike.repos import manifest

TYPES = {t.encode() for t in RESOURCE_TYPES}


def expected_assets(manifest_path, library_subdir: str = "") -> list[bytes]:
    paths = manifest.read_paths(manifest_path)
    prefix = library_subdir.strip("/").encode() + b"/" if library_subdir.strip("/") else b""
    found = set()
    for p in paths:
        if not p.startswith(prefix):
            continue
        parts = p[len(prefix):].split(b"/", 2)
        if len(parts) >= 2 and parts[0] in TYPES:
            found.add(parts[0] + b"/" + parts[1])
    return sorted(found)
