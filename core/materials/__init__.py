"""Materials (电子档案): the documents attached to an application.

- :mod:`core.materials.storage` keeps bytes content-addressed by SHA-256 behind a small
  interface (file system by default, another backend by a dotted-name setting);
- :mod:`core.materials.checks` decides what a file really is from its bytes;
- :mod:`core.materials.service` attaches and deletes materials, assigns the scan serial
  (扫描流水号) and archive number (档案编号), and says what a submission still lacks.
"""
from core.materials.checks import check_content
from core.materials.service import (
    attach,
    delete,
    missing_required,
    slots,
    storage_for,
)

__all__ = ["attach", "check_content", "delete", "missing_required", "slots", "storage_for"]
