"""Every record query core declares (``core.builtin.queries`` registers them)."""
from core.queries.person_records import PERSON_RECORD_QUERIES
from core.queries.standard import STANDARD_QUERIES
from core.queries.unit_records import UNIT_RECORD_QUERIES

CORE_QUERIES = (*STANDARD_QUERIES, *UNIT_RECORD_QUERIES, *PERSON_RECORD_QUERIES)
