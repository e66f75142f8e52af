from django.dispatch import Signal

# Sent before a source's stored text is replaced, with ``source`` (as it is) and ``text`` (the
# new one). A receiver that keeps offsets into the old text raises a ValidationError keyed
# "text" when they would no longer hold; the change is then refused.
source_text_changing = Signal()
