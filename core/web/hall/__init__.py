"""The hall (网上服务大厅): the face of the centre that units' operators use."""


def includeme(config) -> None:
    from core.web.security import ApplicationContext, HallRoot

    config.add_route("hall", "/hall", factory=HallRoot)
    config.add_route("hall_tasks", "/hall/tasks/{kind}", factory=HallRoot)
    config.add_route("hall_message", "/hall/messages/{mid}", factory=HallRoot)
    config.add_route("hall_favourites", "/hall/favourites", factory=HallRoot)
    config.add_route("hall_item", "/hall/items/{code}", factory=HallRoot)
    # 清册 in Excel: template, export, import, the error file, a background import's progress
    config.add_route("hall_excel_template", "/hall/items/{code}/excel/template.xlsx", factory=HallRoot)
    config.add_route("hall_excel_export", "/hall/items/{code}/excel/export.xlsx", factory=HallRoot)
    config.add_route("hall_item_export", "/hall/items/{code}/exports/{index}", factory=HallRoot)
    config.add_route("hall_excel_import", "/hall/items/{code}/excel/import", factory=HallRoot)
    config.add_route("hall_excel_errors", "/hall/items/{code}/excel/errors/{digest}.xlsx", factory=HallRoot)
    config.add_route("hall_excel_job", "/hall/items/{code}/excel/jobs/{job}.json", factory=HallRoot)
    # a 清册 row's person, found by name, account number or ID number (反显)
    config.add_route("hall_rows_lookup", "/hall/rows/lookup.json", factory=HallRoot)
    config.add_route("hall_jobs", "/hall/jobs/{which:progress|results}", factory=HallRoot)
    config.add_route("hall_application", "/hall/applications/{id}", factory=ApplicationContext)
    config.add_route("hall_application_status", "/hall/applications/{id}/status.json", factory=ApplicationContext)
    config.add_route("hall_application_act", "/hall/applications/{id}/{action:end_process|print}",
                     factory=ApplicationContext)
    config.scan("core.web.hall")
