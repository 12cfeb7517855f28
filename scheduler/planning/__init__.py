"""Planning: turning the database into solver problems for a planning period.

``scheduler.planning.mapping`` is the one module that knows both the database models and the
solver's problem document; nothing else in the app builds solver input.
"""
