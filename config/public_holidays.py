"""The site file's public-holidays country, checked against the `holidays` library cheaply."""

from __future__ import annotations


def holidays_problem(country: str, subdivision: str) -> tuple[str, str, str] | None:
    """(key, message, value) when the holidays library does not know the country or subdivision.

    The country is looked up in the library's registry of codes, and only that one country's module
    is loaded for a subdivision: `holidays.list_supported_countries()` imports every country
    (80-90 ms of every command's start, issue 21).
    """
    import holidays

    try:
        from holidays.registry import EntityLoader

        known = country in set(EntityLoader.get_country_codes())
    except (ImportError, AttributeError):  # a holidays release without the registry: the slow way
        known = country in holidays.list_supported_countries()
    if not known:
        return "hours.holidays_country", "not a country the holidays library knows", country
    if subdivision and subdivision not in getattr(holidays, country).subdivisions:
        return "hours.holidays_subdivision", f"not a subdivision of {country}", subdivision
    return None

