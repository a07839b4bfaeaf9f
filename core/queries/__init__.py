"""Record queries (记录查询): 流水, 清册, 明细, 变更, 封存启封, 转移, 汇补缴, 结息对账单, 年度对账.

- :mod:`core.queries.types`: :class:`RecordQuery`, its filters and columns (what a plugin
  returns from ``opengjj_record_queries``);
- :mod:`core.queries.run`: filter values, one page, the count and the totals, streaming;
- :mod:`core.queries.export`: .xlsx and PDF;
- :mod:`core.queries.share`: signed, expiring share links;
- :mod:`core.queries.registry`: a centre's queries, and their menu entries;
- :mod:`core.queries.standard`: core's standard queries;
- :mod:`core.queries.unit_records`, :mod:`core.queries.person_records`: the items'
  record queries (清册流水查询), with :mod:`core.queries.parts` their shared pieces;
- :mod:`core.queries.catalogue`: every query core declares.

A centre titles and places any query with ``query.<code>.title`` / ``.menu`` /
``.order`` (:func:`core.queries.registry.placed`).

See docs/queries.md.
"""
from core.queries.registry import collect, menu_entries
from core.queries.run import Result, clean, run, stream
from core.queries.types import Computed, Link, QueryColumn, QueryFilter, RecordQuery

__all__ = ["Computed", "Link", "QueryColumn", "QueryFilter", "RecordQuery", "Result", "clean", "collect",
           "menu_entries", "run", "stream"]
