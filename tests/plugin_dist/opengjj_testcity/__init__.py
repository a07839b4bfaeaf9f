"""A third-party city plugin, installed only for the tests (see its dist-info)."""
from decimal import Decimal

from pyramid.response import Response

from core.contract import (
    ApprovalChain, BusinessItem, DepositPolicy, LoginMethod, MaterialType, MenuEntry, Step, Theme,
    VoucherLayout,
)
from core.hookspecs import hookimpl


@hookimpl
def opengjj_theme(centre):
    return Theme(name="testcity", title="测试市住房公积金管理中心", colours={"primary": "#123456"})


@hookimpl
def opengjj_deposit_policy(centre, fund_year):
    return DepositPolicy(base_floor=Decimal("2000"), base_cap=Decimal("20000"), rounding="up_jiao_to_yuan")


@hookimpl
def opengjj_login_methods(centre):
    return [LoginMethod(name="sms", title="短信登录", fields=("phone", "code"), order=20)]


@hookimpl
def opengjj_material_types(centre):
    return [MaterialType("licence", "营业执照", required=True, max_count=1)]


@hookimpl
def opengjj_voucher_layouts(centre):
    return [VoucherLayout(code="test_voucher", title="测试凭证")]


@hookimpl
def opengjj_business_items(centre):
    return [BusinessItem(code="annual_check", title="年度核定", menu_path=("缴存单位", "汇补缴"),
                         materials=("licence",), vouchers=("test_voucher",),
                         chain=ApprovalChain((Step("first_review", "初审"),)))]


@hookimpl
def opengjj_menu(centre, items):
    return [MenuEntry(path=("查询",), title="缴存明细查询", url="queries/ledger")]


def hello(request):
    return Response(f"testcity plugin view for {request.registry.runtime.centre.name}")


def includeme(config):
    config.add_route("testcity_hello", "/testcity/hello")
    config.add_view(hello, route_name="testcity_hello")
