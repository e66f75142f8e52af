"""The curators group: exactly the permissions curation needs, nothing more."""

CURATORS = "curators"

# (app label, model) → actions curators may take on it.
CURATOR_PERMISSIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("claims", "claim"): ("view", "add", "change", "delete"),
    ("claims", "quoteanchor"): ("view", "add", "change", "delete"),
    ("claims", "claimrelation"): ("view", "add", "change", "delete"),
    ("actors", "actor"): ("view", "add", "change", "delete"),
    ("sources", "source"): ("view", "add", "change", "delete"),
    ("countries", "country"): ("view",),
}


def curators_group_sync(*, group_model, permission_model) -> object:
    """Create or update the curators group; takes models so a migration can pass historical ones."""
    group, _ = group_model.objects.get_or_create(name=CURATORS)
    codenames = [
        (app_label, f"{action}_{model}")
        for (app_label, model), actions in CURATOR_PERMISSIONS.items()
        for action in actions
    ]
    permissions = [
        permission_model.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in codenames
    ]
    group.permissions.set(permissions)
    return group
