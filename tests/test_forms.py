"""The shared time-zone select: every zone once, the chosen one selected."""

from __future__ import annotations

import re

from wtforms import Form, SelectField

from elearn.forms import CompactSelect, zone_choices
from elearn.i18n import timezone_names


class ZoneForm(Form):
    tz = SelectField("Zone", widget=CompactSelect())


def _render(app, data, **kwargs) -> str:
    with app.test_request_context():
        form = ZoneForm(tz=data)
        form.tz.choices = zone_choices()
        return str(form.tz(**kwargs))


def test_the_zone_select_lists_every_zone_once_and_marks_the_chosen_one(app):
    html = _render(app, "Africa/Dakar", required=True)
    assert html.startswith('<select id="tz" name="tz" required>')
    assert re.findall(r"<option(?: selected)?>([^<]+)</option>", html) == list(timezone_names())
    assert re.findall(r"<option selected>([^<]+)</option>", html) == ["Africa/Dakar"]
    # Rendered again for someone else, the earlier choice does not stick.
    again = _render(app, "Pacific/Fiji")
    assert re.findall(r"<option selected>([^<]+)</option>", again) == ["Pacific/Fiji"]
    assert "<option selected>" not in _render(app, None)
    assert "<option selected>" not in _render(app, "Not/AZone")
