"""A claim the fixtures support (its quote occurs once in its source), for tests that write one."""

SOURCE = "commentary-2022-01-24-russian-build-up"
QUOTE = "The United Kingdom sent anti-tank missiles"


def claim_body(**overrides) -> dict:
    """The claim as a client sends it to POST /api/v1/claims/."""
    return {
        "source": SOURCE,
        "kind": "arms_transfer",
        "status": "completed",
        "summary": "The United Kingdom sent anti-tank missiles to Ukraine.",
        "subject": "united-kingdom",
        "object": "ukraine",
        "quote": QUOTE,
        **overrides,
    }
