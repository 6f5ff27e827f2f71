"""Adapters for caseload files: date cells, the scan, the HTML report.

- :mod:`safeguard_time._date_columns`: whole columns of text cells read by the one date grammar
  (``safeguard_time._dates``), with the common forms as vectorised byte operations;
- :mod:`safeguard_time.io.scan`: ``safeguard-time scan``: CSV and Parquet caseloads in, every
  row out with each check's due date, elapsed, status, late and rule, plus the errors report;
- :mod:`safeguard_time.io.report`: the self-contained HTML report of a scan.

They read and write the outside world and decide nothing: every date, rule and status comes
from the layers below (see the design page).
"""
