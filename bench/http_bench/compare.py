"""Compare two result files: `python -m bench.http_bench.compare OLD.json NEW.json`."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(old_path: str, new_path: str) -> None:
    old, new = (json.loads(Path(p).read_text()) for p in (old_path, new_path))
    before = {(r["database"], r["endpoint"], r["target"]): r for r in old["rows"] if "rps" in r}
    header = ("database", "endpoint", "target", "old req/s", "new req/s", "change")
    print("{:<8} {:<32} {:<10} {:>9} {:>9} {:>7}".format(*header))
    for row in new["rows"]:
        key = (row["database"], row["endpoint"], row["target"])
        if "rps" in row and key in before:
            change = row["rps"] / before[key]["rps"] - 1
            print(
                f"{key[0]:<8} {key[1]:<32} {key[2]:<10} {before[key]['rps']:>9.0f} "
                f"{row['rps']:>9.0f} {change:>+7.1%}"
            )


if __name__ == "__main__":
    main(*sys.argv[1:3])
