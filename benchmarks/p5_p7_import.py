#!/usr/bin/env python3
"""P5 and P7 (SPEC §6): a validated, committed CSV import of N rows (audit included).

P5: import rows/s ÷ rows/s of the raw baseline — `pandas.read_csv` then one `executemany` of the same
rows into the same `enterprise` table, with the same indexes and FTS triggers — budget ≥ 0.20.
P7: peak resident memory of the importing process — budget ≤ 300 MB.

Makes a migrated SQLite database with the reference data in a temporary folder, writes a CSV of N
rows (valid enterprise codes from stdnum's check digit; Vietnamese amounts; current commune codes,
and old commune names for one row in five), then runs the baseline and the import each in a fresh
copy of that database, in its own process (so that its peak RSS is its own).

    .venv/bin/python benchmarks/p5_p7_import.py              # 100,000 rows
    .venv/bin/python benchmarks/p5_p7_import.py --rows 10000
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIVISIONS = [1, 3, 10, 11, 16, 25, 41, 43, 46, 47, 49, 55, 56, 62, 63, 68, 70, 79, 85, 86, 93, 96]
sys.path.insert(0, str(ROOT))

from benchmarks import figures  # noqa: E402


def _app(db_path: Path, instance: Path):
    from app import create_app

    return create_app(
        {"DATABASE_URL": f"sqlite:///{db_path}", "INSTANCE_PATH": str(instance), "RATELIMIT_ENABLED": False}
    )


def setup(folder: Path, rows: int) -> None:
    from flask_migrate import upgrade
    from stdnum.vn import mst

    from app.extensions import db
    from app.reference.services import load_reference_data

    app = _app(folder / "template.db", folder)
    with app.app_context():
        upgrade()
        load_reference_data()
        db.session.commit()
        db.engine.dispose()
    reference = ROOT / "app" / "data" / "reference"
    with open(reference / "communes-dak-lak-66.csv", encoding="utf-8") as fh:
        communes = [r["code"] for r in csv.DictReader(fh) if r["code"].startswith("22")]
    with open(reference / "communes-phu-yen-2025-mapping.csv", encoding="utf-8") as fh:
        mapping = list(csv.DictReader(fh))
    split = {r["old_code"] for r in mapping if sum(m["old_code"] == r["old_code"] for m in mapping) > 1}
    old_names = sorted({r["old_name"] for r in mapping if r["old_code"] not in split})
    forms = ["TNHH MTV", "Công ty TNHH hai thành viên trở lên", "CTCP", "DNTN", "HTX"]
    with open(folder / "import.csv", "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                "ma_so_doanh_nghiep",
                "ten_doanh_nghiep",
                "loai_hinh",
                "ngay_thanh_lap",
                "ma_xa",
                "ten_xa",
                "dia_chi",
                "nganh_nghe_chinh",
                "so_lao_dong",
                "doanh_thu",
                "tong_nguon_von",
                "email",
                "dien_thoai",
                "trang_thai",
            ]
        )
        n, written = 0, 0
        while written < rows:
            n += 1
            body = f"44{n:07d}"
            check = mst.calc_check_digit(body)
            if len(check) != 1:
                continue
            old = written % 5 == 0
            writer.writerow(
                [
                    body + check,
                    f"Công ty TNHH Thương mại Dịch vụ Số {written}",
                    forms[written % len(forms)],
                    f"{1 + written % 28:02d}/{1 + written % 12:02d}/{1995 + written % 30}",
                    "" if old else communes[written % len(communes)],
                    old_names[written % len(old_names)] if old else "",
                    f"{written} Lê Lợi",
                    f"{DIVISIONS[written % len(DIVISIONS)]:02d}{written % 100:02d}",
                    str(written % 300),
                    f"{(written % 5000 + 1) * 1_000_000:,}".replace(",", "."),
                    "",
                    "",
                    "",
                    "",
                ]
            )
            written += 1


def run_baseline(db_path: Path, csv_path: Path) -> dict:
    import pandas as pd

    started = time.perf_counter()
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    rows = [
        (
            r.ma_so_doanh_nghiep,
            r.ma_so_doanh_nghiep,
            r.ten_doanh_nghiep,
            r.ten_doanh_nghiep,
            r.ten_doanh_nghiep,
            r.ten_doanh_nghiep,
            r.ten_doanh_nghiep,
            r.loai_hinh,
            r.nganh_nghe_chinh,
            r.ma_xa or "22015",
            r.dia_chi,
            r.ngay_thanh_lap,
            r.so_lao_dong,
            r.doanh_thu,
        )
        for r in frame.itertuples(index=False)
    ]
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO enterprise (public_key, code, name, name_folded, name_lower, name_sort, search_text, legal_form,"
        " main_vsic, commune_code, address, founded_on, employees, revenue_vnd, size_tier, is_digital_tech,"
        " digital_tech_verification, is_startup, startup_verification, status, record_state, shows_readiness,"
        " provenance, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'unknown', 0,"
        " 'unverified', 0, 'unverified', 'active', 'published', 0, 'import', datetime('now'), datetime('now'))",
        rows,
    )
    conn.execute("COMMIT")
    conn.close()
    return {"seconds": time.perf_counter() - started, "rows": len(rows)}


def run_import(db_path: Path, csv_path: Path, instance: Path) -> dict:
    from app import audit
    from app.imports import services

    app = _app(db_path, instance)
    with app.app_context():
        started = time.perf_counter()
        batch = services.import_file(csv_path.read_bytes(), csv_path.name, audit.CLI)
        seconds = time.perf_counter() - started
        counts = batch.counts()
    return {"seconds": seconds, "rows": counts["new"], "counts": counts}


def child(phase: str, folder: Path) -> None:
    db_path = folder / f"{phase}.db"
    if phase == "baseline":
        result = run_baseline(db_path, folder / "import.csv")
    else:
        result = run_import(db_path, folder / "import.csv", folder)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--phase", choices=["baseline", "import"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--json", default=None, help="write the figures as make bench's table rows to this file")
    args = parser.parse_args()
    if args.phase:
        child(args.phase, args.folder)
        return 0
    folder = Path(tempfile.mkdtemp(prefix="p5p7-"))
    try:
        setup(folder, args.rows)
        results = {}
        for phase in ("baseline", "import"):
            shutil.copy(folder / "template.db", folder / f"{phase}.db")
            out = subprocess.run(
                [sys.executable, __file__, "--phase", phase, "--folder", str(folder)],
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            results[phase] = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    base, imp = results["baseline"], results["import"]
    ratio = (imp["rows"] / imp["seconds"]) / (base["rows"] / base["seconds"])
    print(f"command: {' '.join(sys.argv)}  (rows={args.rows})")
    print(
        f"baseline: {base['rows']} rows in {base['seconds']:.2f} s = {base['rows'] / base['seconds']:,.0f} rows/s, "
        f"peak RSS {base['peak_rss_mb']:.0f} MB"
    )
    print(
        f"import:   {imp['rows']} rows in {imp['seconds']:.2f} s = {imp['rows'] / imp['seconds']:,.0f} rows/s, "
        f"peak RSS {imp['peak_rss_mb']:.0f} MB, counts {imp['counts']}"
    )
    p5_ok, p7_ok = ratio >= 0.20, imp["peak_rss_mb"] <= 300
    print(f"P5 ratio {ratio:.3f} (budget ≥ 0.20): {'ok' if p5_ok else 'FAIL'}")
    print(f"P7 peak RSS {imp['peak_rss_mb']:.0f} MB (budget ≤ 300 MB): {'ok' if p7_ok else 'FAIL'}")
    rates = (
        f"{imp['rows'] / imp['seconds']:,.0f} ÷ {base['rows'] / base['seconds']:,.0f} rows/s "
        f"(import {imp['seconds']:.1f} s, raw read_csv + executemany {base['seconds']:.1f} s)"
    )
    figures.write(
        args.json,
        [
            figures.row("P5", "CSV import ÷ raw insert", ratio, ">=", 0.20, "sqlite", args.rows, rates),
            figures.row(
                "P7",
                "import peak memory MB",
                imp["peak_rss_mb"],
                "<=",
                300,
                "sqlite",
                args.rows,
                f"peak resident memory of the importing process; the raw baseline's {base['peak_rss_mb']:.0f} MB",
            ),
        ],
    )
    return 0 if p5_ok and p7_ok else 1


if __name__ == "__main__":
    sys.exit(main())
