"""Ground truth for strategies that list assets (LISTS = "assets", e.g. ddx-list): one entry
"<asset_type>/<asset>" per asset of the resource types `ddx list` walks. The manifest's
asset_type/asset columns are the first two components of each path; they are read here from the
binary path column so that non-UTF-8 asset names stay exact."""

import pyarrow.parquet as pq

from ddxspike.discovery.ddx_list import RESOURCE_TYPES

TYPES = {t.encode() for t in RESOURCE_TYPES}


def expected_assets(manifest_path) -> list[bytes]:
    paths = pq.read_table(manifest_path, columns=["path"]).column("path").to_pylist()
    found = set()
    for p in paths:
        parts = p.split(b"/", 2)
        if len(parts) >= 2 and parts[0] in TYPES:
            found.add(parts[0] + b"/" + parts[1])
    return sorted(found)
