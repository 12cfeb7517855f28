"""Parse an iCalendar document from stdin with libical (GNOME Evolution's parser) and print a
JSON report: the number of VEVENTs and every error libical attached (X-LIC-ERROR properties),
including, for a calendar with a METHOD, the failures of libical's iTIP restriction check.

``--many`` reads a JSON list of documents and prints a list of reports (one process for a
whole outbox). Run by the calendar tests with the *system* Python, which has the GObject bindings
(Debian: ``apt-get install python3-gi gir1.2-ical-3.0``); ``--probe`` only checks they load.
"""

import json
import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402

if "--probe" in sys.argv:
    sys.exit(0)


def report(text: str) -> dict:
    """The number of VEVENTs in ``text`` and every error libical attached to it."""
    component = ICalGLib.Component.new_from_string(text)
    if component is None:
        return {"events": 0, "errors": ["not parsed"]}
    errors = []
    # An iTIP message (a calendar with METHOD) must also pass libical's RFC 5546 restriction
    # tables (ORGANIZER, DTSTAMP, SEQUENCE... per method); failures come back as X-LIC-ERROR.
    if component.get_method() != ICalGLib.PropertyMethod.NONE:
        ICalGLib.restriction_check(component)

    def walk(node):
        prop = node.get_first_property(ICalGLib.PropertyKind.XLICERROR_PROPERTY)
        while prop is not None:
            errors.append(prop.as_ical_string().strip())
            prop = node.get_next_property(ICalGLib.PropertyKind.XLICERROR_PROPERTY)
        child = node.get_first_component(ICalGLib.ComponentKind.ANY_COMPONENT)
        while child is not None:
            walk(child)
            child = node.get_next_component(ICalGLib.ComponentKind.ANY_COMPONENT)

    walk(component)
    events = 0
    event = component.get_first_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)
    while event is not None:
        events += 1
        start = event.get_dtstart()
        end = event.get_dtend()
        if ICalGLib.Time.compare(end, start) <= 0:
            errors.append(f"DTEND not after DTSTART in {event.get_uid()}")
        event = component.get_next_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)
    return {"events": events, "errors": errors}


text = sys.stdin.buffer.read().decode("utf-8")
if "--many" in sys.argv:  # a JSON list of documents in, a list of reports out: one process
    print(json.dumps([report(document) for document in json.loads(text)]))
else:
    found = report(text)
    print(json.dumps(found))
    sys.exit(1 if found["errors"] == ["not parsed"] else 0)
