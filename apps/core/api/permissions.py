from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissions


class CuratorWriteOrReadOnly(DjangoModelPermissions):
    """Anyone may read; writing needs the model's add/change/delete permission (the curators group has them)."""

    # Read by apps.core.api.schema: reads are documented as needing no credentials.
    anonymous_reads = True

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return super().has_permission(request, view)
