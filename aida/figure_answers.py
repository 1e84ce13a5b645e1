"""AIDA's words around a figure card. Every number here comes from the figures store as
published: these texts stand in for the model when it is off, over budget, or tripped the
number guard, and they are what the model is given as its numbered data sources."""

from django.utils import translation
from django.utils.translation import gettext as _

from statdata.selectors import Figures


def source_lines(figures: Figures) -> list[str]:
    """The figures as the model's numbered data sources [D1], [D2]…"""
    variable = figures.variable
    unit = f" {variable.unit}" if variable.unit else ""  # after the value: "28.734 juta rupiah" scales it
    sources = {source.pk: source for source in figures.sources}
    lines = []
    for number, value in enumerate(figures.values, start=1):
        source = sources[value.source]
        label = f"{source.title}, {source.publisher}" + (" — DATA DEMO" if source.is_demo else "")
        lines.append(
            f"[D{number}] {variable.title}, {value.area}, {value.period}: {value.published}{unit} (sumber: {label})"
        )
    return lines


def _source_names(figures: Figures) -> str:
    return "; ".join(f"{source.title} ({source.publisher})" for source in figures.sources)


def figure_text(figures: Figures, language: str) -> str:
    """What AIDA says without the model: the figures in words, their source, what is missing."""
    with translation.override(language):
        variable = figures.variable
        if figures.status == "ambiguous":
            names = " / ".join(choice["label"] for choice in figures.choices)
            return _("Which area do you mean: %(names)s?") % {"names": names}
        if figures.status == "not_held":
            areas = ", ".join(area.name for area in figures.areas) or _("this area")
            said = _("I do not hold %(indicator)s for %(areas)s for the period you asked, so I will not guess.") % {
                "indicator": variable.title_en if language == "en" else variable.title,
                "areas": areas,
            }
            return " ".join(part for part in (said, figures.nearest) if part)
        # The card above the answer shows the values, their notes and the demo label: the words
        # name the source (and what is missing) instead of repeating them.
        parts = [_("The figures are as published in: %(sources)s.") % {"sources": _source_names(figures)}]
        if figures.missing:
            parts.append(_("Not published or not held: %(periods)s.") % {"periods": ", ".join(figures.missing)})
        return " ".join(parts)
