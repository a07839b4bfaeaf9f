"""Core's 互联互通 defaults: the look-up backend from ``interop.backend``, and the demo's
development registry."""
from core.hookspecs import hookimpl


@hookimpl(trylast=True)
def opengjj_lookup_service(centre):
    from core.interop import from_settings

    return from_settings(centre)


@hookimpl(trylast=True)
def opengjj_demo_data(centre, db, rng, policy):
    # trylast: after core's and the city's demo, so their units and persons are registered too.
    from core.interop.demo import load_interop_demo

    load_interop_demo(centre, db, rng)
