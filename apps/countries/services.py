import pycountry


def countries_sync(*, country_model) -> int:
    """Insert or update every ISO 3166-1 entry that pycountry knows; returns how many there are.

    Takes the model as an argument so the data migration can pass its historical model.
    """
    entries = list(pycountry.countries)
    for entry in entries:
        country_model.objects.update_or_create(
            code=entry.alpha_2,
            defaults={
                "alpha3": entry.alpha_3,
                "numeric": entry.numeric,
                "name": getattr(entry, "common_name", None) or entry.name,
                "official_name": getattr(entry, "official_name", ""),
            },
        )
    return len(entries)
