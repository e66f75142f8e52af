"""The two editorial roles, as groups with exactly the permissions each needs.

Curators draft and edit; reviewers may also mark claims reviewed, published or rejected
(``claims.review_claim``), never one they last edited themselves (apps.claims.review).
"""

CURATORS = "curators"
REVIEWERS = "reviewers"

# (app label, model) → actions curators may take on it.
CURATOR_PERMISSIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("claims", "claim"): ("view", "add", "change", "delete"),
    ("claims", "quoteanchor"): ("view", "add", "change", "delete"),
    ("claims", "claimrelation"): ("view", "add", "change", "delete"),
    ("actors", "actor"): ("view", "add", "change", "delete"),
    ("sources", "source"): ("view", "add", "change", "delete"),
    ("countries", "country"): ("view",),
}

# Permission codenames by group: reviewers can do all curators can, and decide reviews.
GROUP_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    CURATORS: [
        (app_label, f"{action}_{model}")
        for (app_label, model), actions in CURATOR_PERMISSIONS.items()
        for action in actions
    ],
}
GROUP_PERMISSIONS[REVIEWERS] = [*GROUP_PERMISSIONS[CURATORS], ("claims", "review_claim")]


def group_sync(name: str, *, group_model, permission_model) -> object:
    """Create or update one role's group; takes models so a migration can pass historical ones."""
    group, _ = group_model.objects.get_or_create(name=name)
    permissions = [
        permission_model.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in GROUP_PERMISSIONS[name]
    ]
    group.permissions.set(permissions)
    return group


def curators_group_sync(*, group_model, permission_model) -> object:
    """The curators group (kept for the migration that first made it)."""
    return group_sync(CURATORS, group_model=group_model, permission_model=permission_model)
