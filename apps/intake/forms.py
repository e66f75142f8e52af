from django import forms
from django.conf import settings

from apps.core.admin import HttpsURLField, VerbatimTextField
from apps.sources.models import PublicationPrecision, Source


class IntakeForm(forms.ModelForm):
    """A new document: pasted or uploaded, plain text or HTML, with the metadata of a source."""

    pasted = VerbatimTextField(
        label="Text", required=False, widget=forms.Textarea(attrs={"rows": 12, "class": "vLargeTextField"}),
        help_text="Paste the document here, or upload it below.",
    )  # fmt: skip
    upload = forms.FileField(
        required=False, help_text=f"A .txt or .html file of at most {settings.DOCUMENT_MAX_BYTES:,} bytes."
    )
    is_html = forms.BooleanField(
        label="The document is HTML", required=False, help_text="Tags, scripts and styles are removed; files ending "
        "in .html or .htm are read as HTML anyway.",
    )  # fmt: skip

    class Meta:
        model = Source
        fields = ["slug", "title", "authors", "publisher", "url", "published_on", "published_precision", "language",
                  "kind", "metadata_notes"]  # fmt: skip
        field_classes = {"url": HttpsURLField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["published_precision"].initial = PublicationPrecision.DAY

    def clean(self):
        cleaned = super().clean()
        upload, pasted = cleaned.get("upload"), cleaned.get("pasted")
        if bool(upload) == bool(pasted):
            raise forms.ValidationError("Paste the text or upload a file (one of the two).")
        return cleaned

    def document(self) -> tuple[bytes, bool]:
        """The received bytes, and whether they are HTML."""
        upload = self.cleaned_data.get("upload")
        if upload:
            html = self.cleaned_data["is_html"] or upload.name.lower().endswith((".html", ".htm"))
            return upload.read(settings.DOCUMENT_MAX_BYTES + 1), html
        return self.cleaned_data["pasted"].encode("utf-8"), self.cleaned_data["is_html"]
