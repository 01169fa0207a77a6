#!/usr/bin/env python3
"""The directory index's compaction: a merge of the changed records against a full build (issue 24, P14).

On the registry DATABASE_URL names (INSTANCE_PATH holds its index; one must be built already:
`flask directory index build`), commits --changes staff corrections through
`registry.services.update_enterprise`, each in its own transaction (in turn a rename, a staff number,
a move to another commune), then makes the next build twice in this process — merged, then read whole
(`index_service.build_here(full=...)`) — and prints for each its seconds and this process's anonymous
memory (RssAnon, sampled every 5 ms) at its peak above what it was before. The writes change the
registry: use a registry made for benchmarks.

    DATABASE_URL=sqlite:////tmp/m1/app.db INSTANCE_PATH=/tmp/m1/inst \\
        .venv/bin/python benchmarks/index_merge.py --changes 1000
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from app import audit, create_app  # noqa: E402
from app.directory import index_files, index_service  # noqa: E402
from app.edge import command_unit, reading  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Enterprise  # noqa: E402
from app.registry.services import update_enterprise  # noqa: E402


def anonymous_mb() -> int:
    with open("/proc/self/status") as status:
        found = dict(line.split(":", 1) for line in status)
    return int(found["RssAnon"].split()[0]) // 1024


class Peak:
    """The highest RssAnon of this process while it runs (a thread reads it every 5 ms)."""

    def __enter__(self) -> Peak:
        self.before, self.most, self.done = anonymous_mb(), 0, False
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self) -> None:
        while not self.done:
            self.most = max(self.most, anonymous_mb())
            time.sleep(0.005)

    def __exit__(self, *_exc) -> None:
        self.done = True
        self.thread.join()


def correct(count: int, seed: int) -> int:
    rng = random.Random(seed)
    top = db.session.scalar(select(func.max(Enterprise.id)))
    done = 0
    for k, enterprise_id in enumerate(rng.sample(range(1, top + 1), count)):
        with command_unit():
            firm = db.session.get(Enterprise, enterprise_id)
            if firm is None or firm.merged_into_id is not None:
                continue
            change = [
                {"name": f"Công ty TNHH Hợp Nhất {seed} {k} Quý"},
                {"employees": rng.randint(1, 300)},
                {"commune_code": "22015"},
            ][k % 3]
            update_enterprise(firm, audit.CLI, "staff", **change)
            done += 1
    return done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        if index_files.current_name(index_service.root()) is None:
            print("No index yet: run `flask directory index build` first.")
            return 2
        print(f"{correct(args.changes, args.seed)} corrections committed")
        for label, full in (("merge", False), ("full build", True)):
            started = time.monotonic()
            with Peak() as peak, reading():
                made = index_service.build_here(wait=True, full=full)
            meta = index_files.read(made.parent, made.name)[1]
            print(
                f"{label:10s} {time.monotonic() - started:5.1f} s  anonymous memory +{peak.most - peak.before} MB "
                f"(peak {peak.most} MB, before {peak.before} MB)  {meta.get('merged', meta['listed'])} records"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
