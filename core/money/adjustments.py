"""错缴调整: moving money that was paid to the wrong account of a unit to the right one.

Like the services of :mod:`core.money.accounts`, :func:`adjust_mispayment` takes
:class:`core.money.books.Books` first, locks the unit and then both accounts (in id
order) before reading them, checks core's rules and then every plugin's
(``books.check("mispayment_adjustment", ...)``) before it writes anything, moves the
money only through :mod:`core.money.ledger` (one flow number, a line on each account)
and writes a change record for each account. A refusal raises
:class:`core.money.errors.BusinessError` naming the field; nothing has been written.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from core.codes import AccountState, CollectionType
from core.contract import FEN
from core.models import Account, Unit
from core.money import months
from core.money.accounts import ACCOUNT_FIELDS
from core.money.errors import BusinessError, ConcurrentChange
from core.money.ledger import new_flow_no, post_account
from core.money.records import record_change, snapshot

#: accounts that can give or receive a correction
LIVE_STATES = (AccountState.NORMAL.value, AccountState.SEALED.value)
BUSINESS_TYPE = CollectionType.OTHER.value


@dataclass(frozen=True)
class Adjustment:
    """What one mis-payment adjustment moved."""

    flow_no: str
    from_account_no: str
    to_account_no: str
    amount: Decimal
    month: str
    from_balance: Decimal
    to_balance: Decimal


def _amount(value: Any) -> Decimal:
    if isinstance(value, float):
        raise TypeError("amount must be a Decimal, never float")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise BusinessError(f"调整金额不是有效的金额：{value}", field="amount") from None
    if not amount.is_finite() or amount <= 0:
        raise BusinessError("调整金额须大于0", field="amount")
    if amount != amount.quantize(FEN):
        raise BusinessError("调整金额最多两位小数", field="amount")
    return amount.quantize(FEN)


def _month(value: Any) -> str:
    text = str(value or "").strip()
    try:
        _, mon = months.parse(text)
        valid = len(text) == 7 and 1 <= mon <= 12
    except ValueError:
        valid = False
    if not valid:
        raise BusinessError("错缴年月格式应为YYYY-MM", field="month")
    return text


def _reason(value: Any) -> str:
    reason = str(value or "").strip()
    if not reason:
        raise BusinessError("调整原因不能为空", field="reason")
    if len(reason) > 100:
        raise BusinessError("调整原因过长（最多100个字）", field="reason")
    return reason


def _require_live(account: Account, field: str) -> None:
    if account.state not in LIVE_STATES:
        label = AccountState(account.state).label if account.state in set(AccountState) else account.state
        raise BusinessError(f"个人账户{account.account_no}状态为“{label}”，只有正常或封存状态的账户可以错缴调整",
                            field=field)


def _lock_pair(books, from_account_id: int, to_account_id: int) -> tuple[Unit, Account, Account]:
    """Lock the unit of both accounts, then the accounts in id order."""
    db = books.db
    unit_ids = dict(db.execute(select(Account.id, Account.unit_id)
                               .where(Account.id.in_((from_account_id, to_account_id)))).all())
    if from_account_id not in unit_ids:
        raise BusinessError("转出个人账户不存在", field="from_account_no")
    if to_account_id not in unit_ids:
        raise BusinessError("转入个人账户不存在", field="to_account_no")
    if unit_ids[from_account_id] != unit_ids[to_account_id]:
        raise BusinessError("转入个人账户与转出个人账户不属于同一单位", field="to_account_no")
    unit = books.lock_unit(unit_ids[from_account_id])
    first, second = sorted((from_account_id, to_account_id))
    locked = {first: books.lock_account(first), second: books.lock_account(second)}
    source, target = locked[from_account_id], locked[to_account_id]
    if source.unit_id != unit.id or target.unit_id != unit.id:  # moved by a transfer meanwhile
        raise ConcurrentChange("个人账户已被其他业务修改，请刷新后重试", field="from_account_no")
    return unit, source, target


def adjust_mispayment(books, from_account_id: int, to_account_id: int, *, amount: Decimal, month: str,
                      reason: str) -> Adjustment:
    """Move ``amount`` paid for ``month`` from one account of a unit to another of the same
    unit (错缴调整). Both accounts must be normal or sealed; the amount may not exceed the
    giving account's balance. The unit's own balance does not change, so it gets no line.
    Rules kind ``mispayment_adjustment``, values: to_account_id, amount, month, reason,
    balance (the giving account's)."""
    if from_account_id == to_account_id:
        raise BusinessError("转入个人账户不能与转出个人账户相同", field="to_account_no")
    amount, month, reason = _amount(amount), _month(month), _reason(reason)
    unit, source, target = _lock_pair(books, from_account_id, to_account_id)
    _require_live(source, "from_account_no")
    _require_live(target, "to_account_no")
    if amount > source.balance:
        raise BusinessError(f"调整金额{amount}元超过个人账户{source.account_no}的余额{source.balance}元",
                            field="amount")
    books.check("mispayment_adjustment", unit_id=source.unit_id, account_id=source.id, to_account_id=target.id,
                amount=amount, month=month, reason=reason, balance=source.balance)
    before_source, before_target = snapshot(source, ACCOUNT_FIELDS), snapshot(target, ACCOUNT_FIELDS)
    flow_no = new_flow_no(books.db, books.today)
    post_account(books, source, unit, business_type=BUSINESS_TYPE, amount=-amount, flow_no=flow_no, month=month,
                 summary=f"错缴调整：{month}转至个人账户{target.account_no}，{reason}"[:200])
    post_account(books, target, unit, business_type=BUSINESS_TYPE, amount=amount, flow_no=flow_no, month=month,
                 summary=f"错缴调整：{month}由个人账户{source.account_no}转入，{reason}"[:200])
    books.db.flush()
    details = {"flow_no": flow_no, "amount": str(amount), "month": month, "reason": reason}
    for account, before, action in ((source, before_source, "mispayment_out"),
                                    (target, before_target, "mispayment_in")):
        record_change(books, entity="account", entity_id=account.id, unit_id=unit.id, business_type=BUSINESS_TYPE,
                      action=action, before=before, after={**snapshot(account, ACCOUNT_FIELDS), **details})
    books.db.flush()
    return Adjustment(flow_no=flow_no, from_account_no=source.account_no, to_account_no=target.account_no,
                      amount=amount, month=month, from_balance=source.balance, to_balance=target.balance)
