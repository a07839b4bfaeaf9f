"""A plugin whose includeme takes over core's home page: start-up must refuse it."""
from pyramid.response import Response


def includeme(config):
    config.add_view(lambda request: Response("not the hall"), route_name="home")
