"""Model viewsets whose writes go through services, with optimistic concurrency control.

Detail responses (GET, and the answers to POST/PUT/PATCH) carry a strong
``ETag``: a hash of the JSON representation the client received. ``PUT``,
``PATCH`` and ``DELETE`` honour ``If-Match``: inside the write's transaction the
row is locked (``SELECT … FOR UPDATE``), read again, and its current ETag
compared with the client's; a mismatch is a 412 and nothing is written. Two
writers holding the same ETag are serialised by the lock, so the second sees the
first one's version and gets the 412: no update is silently lost.

``If-Match`` is optional (see SECURITY.md for why); without it a write applies
to the latest version, still read under the lock, so a PATCH changes only the
fields it names even when others write concurrently.
"""

from django.db import transaction
from django.utils.http import parse_etags
from rest_framework import status, viewsets
from rest_framework.response import Response

from apps.core.api.caching import CachedReadsMixin, content_etag
from apps.core.api.errors import PreconditionFailed
from apps.core.api.query_parameters import KnownQueryParametersMixin
from apps.core.api.renderers import FastJSONRenderer


def representation_etag(data) -> str:
    """A strong ETag for serialised data: equal exactly when the JSON a client gets is equal."""
    return content_etag(FastJSONRenderer().render(data))


class ServiceModelViewSet(KnownQueryParametersMixin, CachedReadsMixin, viewsets.ModelViewSet):
    """A model viewset whose writes are validated by ``write_serializer_class`` and saved by a service.

    Subclasses call their service in ``perform_create``/``perform_update`` and
    set ``serializer.instance``; responses always use the read serializer, so a
    client gets back exactly what a GET would return, with the same ETag.
    """

    write_serializer_class = None
    # What a create is validated by, when it needs more than a change (else write_serializer_class).
    create_serializer_class = None
    # Read by apps.core.api.schema to document ETag, If-Match and 412.
    conditional_writes = True
    # True for views that stream a file (set by as_view): read by apps.core.api.schema, since such an
    # answer has no ETag (its body is never held whole) and so no 304.
    streamed = False

    def get_write_serializer(self, *args, **kwargs):
        kwargs.setdefault("context", self.get_serializer_context())
        return self.write_serializer_class_for(self.request.method)(*args, **kwargs)

    @classmethod
    def write_serializer_class_for(cls, method: str):
        """The serializer that validates a write with this HTTP method (read by apps.core.api.schema too)."""
        return (method == "POST" and cls.create_serializer_class) or cls.write_serializer_class

    def _read_back(self, instance):
        instance = self.get_queryset().get(pk=instance.pk)
        return self.get_serializer(instance).data

    @staticmethod
    def _with_etag(data, status_code=status.HTTP_200_OK) -> Response:
        return Response(data, status=status_code, headers={"ETag": representation_etag(data)})

    def _locked_current_object(self):
        """The object as it is now, its row locked until the transaction ends, checked against If-Match."""
        instance = self.get_object()  # 404 and object permissions, before taking any lock
        model = type(instance)
        # NO KEY UPDATE: blocks other writers of this row, not inserts of rows that refer to it.
        list(model._base_manager.select_for_update(no_key=True).filter(pk=instance.pk).values_list("pk", flat=True))
        # Read again: a concurrent writer may have committed between the first read and the lock.
        instance = self.get_object()
        self._check_if_match(instance)
        return instance

    def _check_if_match(self, instance) -> None:
        header = self.request.headers.get("If-Match")
        if header is None:
            return
        expected = parse_etags(header)
        if expected == ["*"]:
            return  # any current version will do; the object exists
        # Strong comparison (RFC 9110 §13.1.1): a weak W/"…" tag never matches.
        if representation_etag(self.get_serializer(instance).data) not in expected:
            raise PreconditionFailed()

    def retrieve(self, request, *args, **kwargs):
        return self._with_etag(self.get_serializer(self.get_object()).data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_write_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            self.perform_create(serializer)
            data = self._read_back(serializer.instance)
        response = self._with_etag(data, status.HTTP_201_CREATED)
        # A plain str: the url is DRF's Hyperlink (a str subclass), which runserver's WSGI server refuses in a header.
        response["Location"] = str(data["url"])
        return response

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            instance = self._locked_current_object()
            serializer = self.get_write_serializer(instance, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            self.perform_update(serializer)
            data = self._read_back(serializer.instance)
        return self._with_etag(data)

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            instance = self._locked_current_object()
            self.perform_destroy(instance)
        return Response(status=status.HTTP_204_NO_CONTENT)
