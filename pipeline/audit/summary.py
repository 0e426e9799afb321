"""The summary of every finding of an output folder, by check and severity."""
from __future__ import annotations

from typing import Any, Iterable, Sequence

from ..records import SEVERITIES, Finding
from .facts import CHECKS, CROSS_CHECKS

def summary(report_findings: Iterable[dict[str, Any]], cross_findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """Counts by check and severity: [{"check", "scope", "error", "warning", "info"}] in CHECKS order."""
    counts: dict[str, dict[str, int]] = {c: dict.fromkeys(SEVERITIES, 0) for c in CHECKS}
    for f in report_findings:
        check, sev = str(f.get("check")), str(f.get("severity"))
        counts.setdefault(check, dict.fromkeys(SEVERITIES, 0))
        counts[check][sev] = counts[check].get(sev, 0) + 1
    for f in cross_findings:
        counts.setdefault(f.check, dict.fromkeys(SEVERITIES, 0))
        counts[f.check][f.severity] = counts[f.check].get(f.severity, 0) + 1
    return [dict(check=c, scope="cross" if c in CROSS_CHECKS else "report", **n) for c, n in counts.items()]


def format_summary(rows: Sequence[dict[str, Any]]) -> str:
    """The summary of `summary()` as a plain-text table, with a total line."""
    header = ["check", "scope", *SEVERITIES]
    body = [[r["check"], r["scope"], *(str(r.get(s, 0)) for s in SEVERITIES)] for r in rows]
    body.append(["total", "", *(str(sum(int(r.get(s, 0)) for r in rows)) for s in SEVERITIES)])
    widths = [max(len(line[i]) for line in [header] + body) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(b) for b in body[:-1]), rule, line(body[-1])]) + "\n"
