"""The counter desk (柜面): centre clerks' queues and review pages."""


def includeme(config) -> None:
    from core.web.security import ApplicationContext, CounterRoot

    config.add_route("counter", "/counter", factory=CounterRoot)
    config.add_route("counter_queue", "/counter/queue/{role}", factory=CounterRoot)
    config.add_route("counter_done", "/counter/done", factory=CounterRoot)
    config.add_route("counter_application", "/counter/applications/{id}", factory=ApplicationContext)
    config.scan("core.web.counter")
