"""Form pieces every feature shares: the compact time-zone select."""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup, escape
from wtforms.widgets import Select, html_params

from elearn.i18n import timezone_names


class CompactSelect(Select):
    """A select whose options are written ``<option>Europe/Paris</option>`` when the
    value is the label: the 400-odd time zones weigh 13 KB instead of 21 KB, which keeps
    the sign-up and registration pages inside the 50 KB budget.

    The options of such a list are rendered once and kept (per process): writing 490
    options one by one cost ~5 ms on every page that shows the select (the webinar list
    shows it to every visitor); the chosen one is marked in the kept text.
    """

    def __call__(self, field, **kwargs):
        choices = getattr(field, "choices", None)
        if self.multiple or not isinstance(choices, list | tuple) or not choices \
                or field.has_groups():
            return super().__call__(field, **kwargs)
        options = _plain_options(tuple(choices))
        if options is None:
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for k in dir(flags):
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = getattr(flags, k)
        if field.data is not None:
            chosen = f"<option>{escape(field.data)}</option>"
            options = options.replace(chosen, f"<option selected>{escape(field.data)}</option>",
                                      1)
        # Both parts are escaped: html_params escapes, the options were built with escape().
        params = html_params(name=field.name, **kwargs)
        return Markup(f"<select {params}>{options}</select>")  # noqa: S704

    @classmethod
    def render_option(cls, value, label, selected, **kwargs):
        if str(value) != str(label) or kwargs:
            return super().render_option(value, label, selected, **kwargs)
        opening = Markup("<option selected>") if selected else Markup("<option>")
        return opening + escape(label) + Markup("</option>")


@lru_cache(maxsize=8)
def _plain_options(choices: tuple) -> str | None:
    """``<option>a</option><option>b</option>...`` when every value is its label."""
    if any(len(choice) != 2 or str(choice[0]) != str(choice[1]) for choice in choices):
        return None
    return "".join(f"<option>{escape(label)}</option>" for _value, label in choices)


def zone_choices() -> list[tuple[str, str]]:
    """Every IANA zone, value and label alike (for CompactSelect)."""
    return [(name, name) for name in timezone_names()]
