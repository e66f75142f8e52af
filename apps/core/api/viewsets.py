from rest_framework import status, viewsets
from rest_framework.response import Response


class ServiceModelViewSet(viewsets.ModelViewSet):
    """A model viewset whose writes are validated by ``write_serializer_class`` and saved by a service.

    Subclasses call their service in ``perform_create``/``perform_update`` and
    set ``serializer.instance``; responses always use the read serializer, so a
    client gets back exactly what a GET would return.
    """

    write_serializer_class = None

    def get_write_serializer(self, *args, **kwargs):
        kwargs.setdefault("context", self.get_serializer_context())
        return self.write_serializer_class(*args, **kwargs)

    def _read_back(self, instance):
        instance = self.get_queryset().get(pk=instance.pk)
        return self.get_serializer(instance).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_write_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return Response(self._read_back(serializer.instance), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_write_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return Response(self._read_back(serializer.instance))
