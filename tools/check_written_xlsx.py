#!/usr/bin/env python3
"""Opens workbooks written by oretrail-writer in other software, as a second opinion.

    cargo run -p oretrail-writer --example mark -- /tmp/marked demo/templates/*.xlsx
    cargo run --release -p oretrail-writer --example scale_set -- /tmp/gen 10 1 demo/templates
    python3 tools/check_written_xlsx.py /tmp/marked /tmp/gen

For every .xlsx file it
  * loads the workbook with openpyxl (formulas and cached values) and reports the sheets,
    protection, Oretrail's comments and highlighted cells, and the first Smelter List rows;
  * if LibreOffice is installed (`soffice` or `libreoffice` on PATH), opens it headless and
    converts it to .xlsx, which recalculates every formula, then prints the recalculated
    country and Smelter ID of the first rows next to the cached ones written by Oretrail.

Exit status 1 when any file fails to open. Needs `pip install openpyxl`; LibreOffice optional
(it was not installed where this script was written, so that branch is untested there).
"""

import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

try:
    import openpyxl
except ImportError:  # pragma: no cover
    sys.exit("needs openpyxl: pip install openpyxl")

warnings.simplefilter("ignore")


def files(args):
    for a in args:
        p = Path(a)
        if p.is_dir():
            yield from sorted(p.glob("*.xlsx"))
        elif p.suffix.lower() == ".xlsx":
            yield p


def smelter_rows(path, n=3):
    wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
    if "Smelter List" not in wb.sheetnames:
        return []
    ws = wb["Smelter List"]
    out = []
    for row in ws.iter_rows(min_row=5, max_row=2600, max_col=6, values_only=True):
        if any(row[:3]):
            out.append(tuple(row))
            if len(out) >= n:
                break
    return out


def inspect(path):
    wb = openpyxl.load_workbook(path)
    protected = [ws.title for ws in wb.worksheets if ws.protection.sheet]
    hidden = [ws.title for ws in wb.worksheets if ws.sheet_state != "visible"]
    notes, filled = 0, 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.comment is not None and "Oretrail" in (c.comment.text or ""):
                    notes += 1
                if c.fill is not None and c.fill.fill_type == "solid":
                    rgb = str(c.fill.fgColor.rgb)
                    if rgb in ("FFFF7C80", "FFFFC000"):
                        filled += 1
    print(f"  {len(wb.sheetnames)} sheets, {len(protected)} protected, hidden {hidden}")
    print(f"  Oretrail comments: {notes}, highlighted cells: {filled}")
    for r in smelter_rows(path):
        print(f"  Smelter List (cached): {r}")


def libreoffice():
    return shutil.which("soffice") or shutil.which("libreoffice")


def recalculate(office, path):
    with tempfile.TemporaryDirectory() as out:
        cmd = [office, "--headless", "--calc", "--convert-to", "xlsx", "--outdir", out, str(path)]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        converted = Path(out) / path.name
        if done.returncode != 0 or not converted.exists():
            raise RuntimeError(f"LibreOffice failed: {done.stderr.strip() or done.stdout.strip()}")
        for r in smelter_rows(converted):
            print(f"  Smelter List (LibreOffice): {r}")


def main(argv):
    paths = list(files(argv))
    if not paths:
        sys.exit(__doc__)
    office = libreoffice()
    if not office:
        print("LibreOffice not found: checking with openpyxl only")
    failed = 0
    for p in paths:
        print(p.name)
        try:
            inspect(p)
            if office:
                recalculate(office, p)
        except Exception as e:  # report and go on with the batch
            failed += 1
            print(f"  FAILED: {e}")
    print(f"{len(paths) - failed} of {len(paths)} file(s) opened")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
