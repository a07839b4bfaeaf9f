"""Batch Excel for 清册: template, export, import and the error file, all from one
bound row schema (the same one the row form validates with).

No web here: :mod:`core.web.hall.items` serves these, :mod:`core.excel.jobs` runs a
large import in the background.
"""
from core.excel.columns import Column, columns
from core.excel.read import ExcelRefused, ImportResult, Limits, RowError, inspect, read
from core.excel.write import error_file, export, listing, neutralise, template

__all__ = ["Column", "ExcelRefused", "ImportResult", "Limits", "RowError", "columns", "error_file", "export",
           "inspect", "listing", "neutralise", "read", "template"]
