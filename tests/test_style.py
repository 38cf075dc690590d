"""The stylesheet's colours, computed: text reaches WCAG AA contrast (4.5:1) on every
background it may sit on, controls and the focus ring reach 3:1 (WCAG 1.4.11)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parent.parent / "elearn" / "static" / "style.css").read_text()


def full_hex(colour: str) -> str:
    if len(colour) == 4:
        colour = "#" + "".join(c * 2 for c in colour[1:])
    return colour.lower()


VARIABLES = {name: full_hex(value) for name, value in
             re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{3,6})", CSS.split("}", 1)[0])}


def resolve(value: str) -> str | None:
    """The hex colour in a declaration's value (``var(--x)`` resolved), if there is one."""
    match = re.search(r"var\((--[\w-]+)\)|(#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b)", value)
    if not match:
        return None
    return VARIABLES[match.group(1)] if match.group(1) else full_hex(match.group(2))


def declared(*properties: str) -> set[str]:
    found = set()
    for block in re.findall(r"\{([^{}]*)\}", CSS):
        for declaration in block.split(";"):
            prop, _, value = declaration.partition(":")
            if prop.strip() in properties and (colour := resolve(value)):
                found.add(colour)
    return found


def luminance(colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def is_light(colour: str) -> bool:
    return luminance(colour) > 0.4


TEXT = declared("color")
BACKGROUNDS = declared("background", "background-color") | {VARIABLES["--bg"]}
#: Fills that are not behind text (the progress bar's filled part).
FILLS = {VARIABLES["--ok"]}
LIGHT = {c for c in BACKGROUNDS - FILLS if is_light(c)}
DARK = {c for c in BACKGROUNDS - FILLS if not is_light(c)}


def test_the_stylesheet_was_read():
    assert {"--ink", "--muted", "--brand", "--err", "--ok", "--focus"} <= VARIABLES.keys()
    assert len(TEXT) >= 5 and LIGHT and DARK


@pytest.mark.parametrize("text", sorted(TEXT))
def test_every_text_colour_is_readable_on_every_background_it_may_have(text):
    backgrounds = DARK if is_light(text) else LIGHT
    for background in backgrounds:
        assert contrast(text, background) >= 4.5, (text, background, contrast(text, background))


def test_controls_and_states_stand_out_from_light_backgrounds():
    """Field borders, the error and success borders, the progress bar: 3:1 (WCAG 1.4.11)."""
    controls = declared("border", "border-color", "accent-color") - {VARIABLES["--line"]}
    controls |= FILLS
    assert "#767676" in controls  # the fields' border
    for colour in controls:
        for background in LIGHT:
            assert contrast(colour, background) >= 3, (colour, background)


def test_the_focus_ring_is_visible_on_every_background():
    """Two tones (the yellow outline, a dark ring around it): on any background, one of
    them reaches 3:1, and the two tones reach 3:1 between each other."""
    rule = re.search(r":focus-visible\{([^}]*)\}", CSS).group(1)
    outline = resolve(re.search(r"outline:([^;]+)", rule).group(1))
    ring = resolve(re.search(r"box-shadow:([^;]+)", rule).group(1))
    assert contrast(outline, ring) >= 3
    for background in LIGHT | DARK:
        assert max(contrast(outline, background), contrast(ring, background)) >= 3, background
