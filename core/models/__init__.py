"""The core entities of a centre's database (see shared GLOSSARY for the names).

Every centre has its own database (or PostgreSQL schema) with these tables; no table
carries a centre column because rows never cross centres.
"""
from core.db.meta import Base
from core.models.accounts import Account, Person
from core.models.applications import Application, ApplicationRow, HistoryEntry, Material
from core.models.interop import InteropRecord  # noqa: F401
from core.models.ledger import Counter, LedgerEntry
from core.models.money import (
    InterestSettlement, Payment, RatioChange, RemittanceDetail, RemittanceVerification, Supplement,
    SupplementDetail,
)
from core.models.records import AuditEntry, ChangeRecord, Message
from core.models.registration import RegistrationStatus, UnitRegistration  # noqa: F401
from core.models.services import Deferral, DirectDebitAgreement, OverAgeRegistration, RatioReduction
from core.models.sms import OutboxMessage, SmsCode  # noqa: F401
from core.models.staff import Clerk, Operator
from core.models.ukey import LoginChallenge, UKeyCertificate  # noqa: F401
from core.models.units import BankAccount, Department, Unit
from core.models.vouchers import Voucher  # noqa: F401

__all__ = [
    "Account", "Application", "ApplicationRow", "AuditEntry", "BankAccount", "Base", "ChangeRecord", "Clerk", "Counter",
    "Deferral", "Department", "DirectDebitAgreement", "HistoryEntry", "InterestSettlement", "LedgerEntry",
    "Material", "Message", "Operator", "OverAgeRegistration", "Payment", "Person", "RatioChange", "RatioReduction",
    "RemittanceDetail", "RemittanceVerification", "Supplement", "SupplementDetail", "Unit",
]
