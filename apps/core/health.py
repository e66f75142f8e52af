"""Liveness and readiness probes for process supervisors and load balancers.

``/healthz`` answers while the process can serve requests at all and never
touches the database, so a database outage does not get healthy app servers
restarted. ``/readyz`` answers 200 only when the database is reachable and every
migration is applied, so traffic goes elsewhere until then. Neither needs
credentials nor counts against the throttle.
"""

import logging

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.errors import ServiceUnavailable, error_body
from apps.core.api.schema import ErrorSerializer
from claims_api.replicas import health as replica_health
from claims_api.replicas import replica_aliases

logger = logging.getLogger(__name__)


# Plain strings, not enums: one-member enums named "status" would collide with the API's own.
class LivenessSerializer(serializers.Serializer):
    status = serializers.CharField(help_text='Always "ok".')


class ReplicaCheckSerializer(serializers.Serializer):
    alias = serializers.CharField(help_text="The replica's name in the settings (replica_0, replica_1…).")
    state = serializers.CharField(
        help_text='"ok": serving reads; "lagging": further behind than REPLICA_MAX_LAG_SECONDS (or promoted); '
        '"down": unreachable. Reads skip a replica that is not "ok".'
    )
    lag_seconds = serializers.FloatField(allow_null=True, help_text="Replay lag in seconds; null when unknown.")


class ReadinessChecksSerializer(serializers.Serializer):
    database = serializers.CharField(help_text='"ok": the database answers queries.')
    migrations = serializers.CharField(help_text='"ok": every migration is applied.')
    replicas = ReplicaCheckSerializer(
        many=True, help_text="Each read replica's state; a replica that is down does not make the service unready."
    )


class ReadinessSerializer(serializers.Serializer):
    status = serializers.CharField(help_text='Always "ready" (otherwise the answer is a 503).')
    checks = ReadinessChecksSerializer()


class ProbeView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []


@extend_schema(
    tags=["health"],
    summary="Liveness",
    description="200 while the process serves requests. Does not touch the database.",
    responses={200: LivenessSerializer},
)
class LivenessView(ProbeView):
    uses_database = False  # so no 503 is documented

    def get(self, request):
        return Response({"status": "ok"})


# Once every migration is applied it stays so for the life of the process (new migrations come with new code).
_migrations_applied = False


def _unapplied_migrations() -> int:
    global _migrations_applied
    if _migrations_applied:
        return 0
    executor = MigrationExecutor(connection)
    pending = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    _migrations_applied = pending == 0
    return pending


@extend_schema(
    tags=["health"],
    summary="Readiness",
    description="200 when the database answers and every migration is applied; 503 otherwise, "
    "with the failing checks in errors (field: database or migrations).",
    responses={
        200: ReadinessSerializer,
        503: OpenApiResponse(
            ErrorSerializer, description="Not ready: the database is unreachable or migrations are pending."
        ),
    },
)
class ReadinessView(ProbeView):
    def get(self, request):
        problems = []
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            pending = _unapplied_migrations()
            if pending:
                message = f"{pending} migration(s) are not applied."
                problems.append({"field": "migrations", "code": "pending", "message": message})
        except DatabaseError as error:
            logger.warning("Readiness: database unavailable: %s", error)
            problems.append({"field": "database", "code": "unreachable", "message": "The database cannot be reached."})
        if problems:
            body = error_body(status_code=503, code="not_ready", detail="Not ready to serve requests.", errors=problems)
            return Response(body, status=503, headers={"Retry-After": str(ServiceUnavailable.wait)})
        replicas = [
            {"alias": state.alias, "state": state.state, "lag_seconds": state.lag_seconds}
            for state in (replica_health.state(alias, fresh=True) for alias in replica_aliases())
        ]
        return Response({"status": "ready", "checks": {"database": "ok", "migrations": "ok", "replicas": replicas}})
