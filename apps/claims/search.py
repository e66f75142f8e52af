"""Full-text search over claims: one meaning for the API's ``search`` and the admin's search box."""

from django.contrib.postgres.search import SearchQuery

from apps.claims.services import SEARCH_CONFIG


def claims_matching(queryset, words: str):
    """Claims whose summary, quote or source title match ``words`` (web-search syntax, English stemming),
    through the GIN index on the stored search vector."""
    if not words.strip():
        return queryset
    return queryset.filter(search_vector=SearchQuery(words, search_type="websearch", config=SEARCH_CONFIG))
