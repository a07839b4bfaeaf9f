"""Default notification handling: keep a message for the hall's task centre."""
from core.hookspecs import hookimpl


@hookimpl(trylast=True)
def opengjj_notify(centre, db, notification):
    from core.models import Message

    db.add(Message(
        unit_id=notification.unit_id,
        operator_id=notification.operator_id,
        application_id=notification.application_id,
        kind=notification.kind,
        event=notification.event,
        title=notification.title,
        body=notification.body,
    ))
