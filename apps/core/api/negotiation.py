from rest_framework.negotiation import BaseContentNegotiation


class FixedFormatNegotiation(BaseContentNegotiation):
    """For views that choose their own format (file exports): the first renderer, whatever Accept says.

    Errors are then rendered as the API's usual problem documents.
    """

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        return renderer, renderer.media_type
