"""The fast text input writes exactly what WTForms' own writes (scheduler/forms/widgets.py)."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st
from markupsafe import Markup
from wtforms.widgets.core import html_params

from scheduler.forms.widgets import attributes

keys = st.sampled_from(
    [
        "id",
        "name",
        "value",
        "class_",
        "for_",
        "data_label",
        "aria_label",
        "type",
        "maxlength",
        "placeholder",
        "required",
        "disabled",
    ]
)
values = st.one_of(
    st.booleans(),
    st.integers(),
    st.text(),
    st.text().map(Markup),
    st.sampled_from(['"quoted"', "<b>&amp;</b>", "it's", "{n}"]),
)


@given(st.dictionaries(keys, values, max_size=8))
@example({"id": Markup('"')})  # Markup is not escaped again, but its quote must be
def test_attributes_are_written_as_wtforms_writes_them(kwargs):
    assert attributes(**kwargs) == html_params(**kwargs)
    assert isinstance(attributes(**kwargs), Markup)
