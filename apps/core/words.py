"""Words for messages and labels, so that every message builds them the same way."""


def with_article(phrase: str) -> str:
    """``phrase`` after its indefinite article: "an arms transfer claim", "a sanctions claim".

    Chosen by the first letter, which is right for every phrase the project builds: claim kinds,
    field names, component names and source kinds.
    """
    article = "an" if phrase[:1].lower() in "aeiou" else "a"
    return f"{article} {phrase}"
