"""Core's standard items, and the defaults: every defined item enabled, its own chain, its
own menu place."""
from core.contract import MenuEntry
from core.hookspecs import hookimpl


@hookimpl(trylast=True)
def opengjj_business_items(centre):
    from core.items.library import standard_items

    return list(standard_items())


@hookimpl(trylast=True)
def opengjj_enabled_items(centre):
    return None  # no opinion: the catalogue enables every defined item


@hookimpl(trylast=True)
def opengjj_approval_chain(centre, item):
    return item.chain


@hookimpl(trylast=True)
def opengjj_menu(centre, items):
    return [
        MenuEntry(path=item.menu_path, title=item.title, item=item.code, order=item.order)
        for item in items.values() if item.menu_path
    ]
