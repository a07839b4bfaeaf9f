"""Core's demo data: units, operators, clerks, persons, accounts and their history."""
from core.hookspecs import hookimpl


@hookimpl(tryfirst=True)
def opengjj_demo_data(centre, db, rng, policy):
    # tryfirst: a city's demo data may refer to the units and persons made here.
    from core.demo import load_core_demo

    load_core_demo(centre, db, rng, policy)
