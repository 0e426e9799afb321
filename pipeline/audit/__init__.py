"""Find the reported numbers that do not add up, with evidence a person can check.

Within a report (`audit_report`, run by `extract` for every document):

- parts_exceed_total       the parts of a total (其中…, 分别为…, or 撤销1件，维持3件
                           right after it) add up to more than the total, or,
                           for a list that names every case, to a different sum
- rate_mismatch            a stated rate against the counts it is made of
- impossible_value         a rate above 100% where that cannot be, a negative
                           count, a count that fell by more than 100%
- subset_exceeds_superset  a count larger than the count it belongs to
                           (办结 > 受理; 出庭应诉 > 行政诉讼案件)
- conflicting_repeat       the same fact stated in two sentences with two values
- table_identity           a sum the report type's tables must satisfy (its
                           audit.yaml `identities`: carry_balance, results_total…)
- text_vs_table            a prose figure for a table quantity against the
                           table's total cell (pipeline.identities)

Across reports (`audit_folder`, run by `govreport audit OUTDIR`):

- yoy_mismatch             同比增长X% / 增加Y件 / 下降Z个百分点 against the levels
                           in this year's and last year's report of the same
                           region and agency
- cross_report_conflict    one region, year and fact with different values in
                           two reports (the government's and a department's)
- across_years             a table carry-over of year N against the carried-in
                           cell of year N+1, same region and agency (table
                           cells are left to this check, not compared above)

The catalog id of a number is too coarse for this: 收到 130 件, 受理 120 件 and
维持 80 件 are all admin_reconsideration_cases. Each number gets a *role* from
the role word written closest before it in its stretch of the sentence (from
the previous number to itself; rules/audit.yaml `roles`). Which roles and ids
make a rate, a subset or a list of parts is data in rules/audit.yaml too.

Every finding keeps the numbers involved as evidence: their quotes (the
document's text[span]), spans, sentences and document ids.

The cross-report checks read the combined tables (indicators.csv,
reports.csv) when the folder has them, else the per-document JSON, and group
numbers in dicts keyed by (region, agency, year, fact): the work grows with
the number of documents, never with the number of pairs of documents.
"""
from __future__ import annotations

from .across import audit_folder
from .facts import CHECKS, CROSS_CHECKS, REPORT_CHECKS
from .summary import format_summary, summary
from .within import audit_report

__all__ = ["CHECKS", "CROSS_CHECKS", "REPORT_CHECKS", "audit_folder", "audit_report", "format_summary", "summary"]
