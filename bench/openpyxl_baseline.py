#!/usr/bin/env python3
"""Baseline for Oretrail's reader benchmark: how long Python's openpyxl takes to read the same
two sheets (Declaration and Smelter List) of a filled RMI template.

Usage: openpyxl_baseline.py MODE RUNS FILE...   (MODE: readonly | full)
Prints one line per file: "<median seconds> <file>".
  readonly: load_workbook(read_only=True, data_only=True), iterate both sheets' values
  full:     load_workbook(data_only=True) — a full load, what pandas.read_excel does
"""
import statistics
import sys
import time

import openpyxl


def read(path, read_only):
    wb = openpyxl.load_workbook(path, read_only=read_only, data_only=True)
    cells = 0
    for name in ("Declaration", "Smelter List"):
        for row in wb[name].iter_rows(values_only=True):
            cells += sum(1 for v in row if v is not None)
    if read_only:
        wb.close()
    return cells


def main():
    mode, runs, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    for f in files:
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            read(f, mode == "readonly")
            times.append(time.perf_counter() - t)
        print(f"{statistics.median(times):.6f} {f}", flush=True)


if __name__ == "__main__":
    main()
