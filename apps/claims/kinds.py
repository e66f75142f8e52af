"""The closed vocabulary of claim kinds and the rules each kind imposes.

One table drives validation (``apps.claims.validation``), the kinds endpoint of
the API and the admin's help texts, so the rules are stated exactly once.
"""

from dataclasses import dataclass

from django.db import models


class ClaimKind(models.TextChoices):
    TROOP_DEPLOYMENT = "troop_deployment", "Troop deployment"
    MILITARY_EXERCISE = "military_exercise", "Military exercise"
    SANCTIONS = "sanctions", "Sanctions"
    ALLIANCE_POSITION = "alliance_position", "Alliance position"
    DIPLOMATIC_DEMAND = "diplomatic_demand", "Diplomatic demand"
    RECOGNITION = "recognition", "Recognition"
    ARMS_TRANSFER = "arms_transfer", "Arms transfer"
    CASUALTIES = "casualties", "Casualties"
    DISPLACEMENT = "displacement", "Displacement"
    TERRITORIAL_CONTROL = "territorial_control", "Territorial control"
    RESOURCE = "resource", "Resource"
    ENERGY_MEASURE = "energy_measure", "Energy measure"
    INTERVENTION = "intervention", "Intervention"
    MILITARY_BASE = "military_base", "Military base"
    CYBER_OPERATION = "cyber_operation", "Cyber operation"
    LEADERSHIP_CHANGE = "leadership_change", "Leadership change"
    OTHER = "other", "Other"


class ClaimStatus(models.TextChoices):
    """What kind of act or state the claim reports, not whether it is true nor how the source puts it."""

    THREATENED = "threatened", "Threatened"
    DEMANDED = "demanded", "Demanded"
    REQUESTED = "requested", "Requested"
    PROPOSED = "proposed", "Proposed"
    ANNOUNCED = "announced", "Announced"
    PROMISED = "promised", "Promised"
    PLANNED = "planned", "Planned"
    PREDICTED = "predicted", "Predicted"
    IMPOSED = "imposed", "Imposed"
    ONGOING = "ongoing", "Ongoing"
    COMPLETED = "completed", "Completed"
    REFUSED = "refused", "Refused"
    CONDEMNED = "condemned", "Condemned"
    SUPPORTS = "supports", "Supports"
    OPPOSES = "opposes", "Opposes"
    DENIED = "denied", "Denied"
    REPORTED = "reported", "Reported"


class ClaimStance(models.TextChoices):
    """How the source puts the claim: in its own voice, on someone's word, as a judgement, a forecast…"""

    STATED = "stated", "Stated"
    ATTRIBUTED = "attributed", "Attributed"
    ASSESSMENT = "assessment", "Assessment"
    PREDICTION = "prediction", "Prediction"
    HEDGED = "hedged", "Hedged"
    DOUBTED = "doubted", "Doubted"


STANCE_DESCRIPTIONS: dict[str, str] = {
    ClaimStance.STATED: "The source states it as fact, in its own voice.",
    ClaimStance.ATTRIBUTED: "The source reports someone else's statement (the claim's claimant) without endorsing it.",
    ClaimStance.ASSESSMENT: "The author's own judgement or inference, not an act or statement of the actors.",
    ClaimStance.PREDICTION: "A forecast of what will happen, by the author or by the claimant.",
    ClaimStance.HEDGED: "Stated with reservation: 'it seems', 'probably', 'reportedly'.",
    ClaimStance.DOUBTED: "Reported with doubt about its sincerity or truth: 'pretends to condemn', 'so-called'.",
}


class ClaimTrend(models.TextChoices):
    """Which way the source says the reported state is moving ("over 100,000 and growing")."""

    GROWING = "growing", "Growing"
    SHRINKING = "shrinking", "Shrinking"


S = ClaimStatus


@dataclass(frozen=True)
class KindRule:
    description: str
    required: tuple[str, ...]
    statuses: tuple[ClaimStatus, ...]


# ``required`` lists only what every claim of the kind has, whatever the source knows: a
# deployment reported without a number is still a deployment, so no kind requires a quantity.
# Every kind may be merely ``reported``
# (the source tells of it without saying whether it is under way, over or planned).
KIND_RULES: dict[str, KindRule] = {
    ClaimKind.TROOP_DEPLOYMENT: KindRule(
        "Armed forces (troops, ships, aircraft) moved to or massed in a place.",
        ("subject",),
        (
            S.ANNOUNCED,
            S.PLANNED,
            S.PROMISED,
            S.REQUESTED,
            S.THREATENED,
            S.PREDICTED,
            S.ONGOING,
            S.COMPLETED,
            S.DENIED,
            S.REPORTED,
        ),
    ),
    ClaimKind.MILITARY_EXERCISE: KindRule(
        "A military exercise or drill held, planned or demanded to stop.",
        ("subject",),
        (S.ANNOUNCED, S.PLANNED, S.ONGOING, S.COMPLETED, S.DEMANDED, S.OPPOSES, S.REPORTED),
    ),
    ClaimKind.SANCTIONS: KindRule(
        "Economic, financial or technological sanctions against a target.",
        ("object",),
        (
            S.THREATENED,
            S.DEMANDED,
            S.REQUESTED,
            S.PROPOSED,
            S.ANNOUNCED,
            S.PLANNED,
            S.IMPOSED,
            S.ONGOING,
            S.PREDICTED,
            S.SUPPORTS,
            S.OPPOSES,
            S.REPORTED,
        ),
    ),
    ClaimKind.ALLIANCE_POSITION: KindRule(
        "An actor's stance on an alliance or on membership of it (object: the alliance).",
        ("subject", "object"),
        (
            S.SUPPORTS,
            S.OPPOSES,
            S.DEMANDED,
            S.REQUESTED,
            S.REFUSED,
            S.ANNOUNCED,
            S.PROPOSED,
            S.PREDICTED,
            S.ONGOING,
            S.COMPLETED,
            S.REPORTED,
        ),
    ),
    ClaimKind.DIPLOMATIC_DEMAND: KindRule(
        "A demand, request, ultimatum or condition put to another actor (object: who is asked).",
        ("subject",),
        (
            S.DEMANDED,
            S.REQUESTED,
            S.PROPOSED,
            S.REFUSED,
            S.THREATENED,
            S.ANNOUNCED,
            S.REPORTED,
        ),
    ),
    ClaimKind.RECOGNITION: KindRule(
        "Recognition, non-recognition or condemnation of a territorial or political change.",
        ("subject",),
        (S.SUPPORTS, S.OPPOSES, S.REFUSED, S.CONDEMNED, S.ANNOUNCED, S.COMPLETED, S.REPORTED),
    ),
    ClaimKind.ARMS_TRANSFER: KindRule(
        "Weapons supplied, sold or promised by one actor to another (object: recipient).",
        ("object",),
        (S.ANNOUNCED, S.PROMISED, S.PLANNED, S.REQUESTED, S.ONGOING, S.COMPLETED, S.PROPOSED, S.REPORTED),
    ),
    ClaimKind.CASUALTIES: KindRule(
        "People killed or wounded.",
        (),
        (S.COMPLETED, S.ONGOING, S.PREDICTED, S.REPORTED),
    ),
    ClaimKind.DISPLACEMENT: KindRule(
        "People displaced, fled or deported.",
        (),
        (S.COMPLETED, S.ONGOING, S.PREDICTED, S.REPORTED),
    ),
    ClaimKind.TERRITORIAL_CONTROL: KindRule(
        "Control, capture, annexation or recapture of territory (location: where).",
        ("subject", "location"),
        (S.ANNOUNCED, S.THREATENED, S.PREDICTED, S.ONGOING, S.COMPLETED, S.REPORTED),
    ),
    ClaimKind.RESOURCE: KindRule(
        "Natural resources, reserves or economic assets of a place or actor.",
        ("location",),
        (S.ONGOING, S.REPORTED),
    ),
    ClaimKind.ENERGY_MEASURE: KindRule(
        "Energy supply, pipelines, export routes and measures taken on them.",
        ("subject",),
        (
            S.ANNOUNCED,
            S.PLANNED,
            S.IMPOSED,
            S.THREATENED,
            S.ONGOING,
            S.COMPLETED,
            S.REFUSED,
            S.SUPPORTS,
            S.OPPOSES,
            S.PREDICTED,
            S.REPORTED,
        ),
    ),
    ClaimKind.INTERVENTION: KindRule(
        "A military or political intervention in another country (location: where).",
        ("subject", "location"),
        (
            S.DEMANDED,
            S.REQUESTED,
            S.ANNOUNCED,
            S.THREATENED,
            S.PREDICTED,
            S.ONGOING,
            S.COMPLETED,
            S.REFUSED,
            S.DENIED,
            S.REPORTED,
        ),
    ),
    ClaimKind.MILITARY_BASE: KindRule(
        "A military base or permanent presence established, kept or planned abroad.",
        ("subject", "location"),
        (S.ANNOUNCED, S.PLANNED, S.PROMISED, S.ONGOING, S.COMPLETED, S.REPORTED),
    ),
    ClaimKind.CYBER_OPERATION: KindRule(
        "A cyberattack or other operation in cyberspace.",
        ("location",),
        (S.COMPLETED, S.ONGOING, S.DENIED, S.THREATENED, S.REPORTED),
    ),
    ClaimKind.LEADERSHIP_CHANGE: KindRule(
        "A leader appointed, dismissed, arrested, resigning or installed (object: the person).",
        ("object",),
        (S.COMPLETED, S.ANNOUNCED, S.DEMANDED, S.PLANNED, S.PREDICTED, S.THREATENED, S.REPORTED),
    ),
    ClaimKind.OTHER: KindRule(
        "Any other assertion worth recording; prefer a specific kind.",
        (),
        tuple(ClaimStatus),
    ),
}
