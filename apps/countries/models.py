from django.db import models


class Country(models.Model):
    """An ISO 3166-1 entry. Reference data: loaded from pycountry, never edited by hand."""

    code = models.CharField("alpha-2 code", max_length=2, primary_key=True)
    alpha3 = models.CharField("alpha-3 code", max_length=3, unique=True)
    numeric = models.CharField("numeric code", max_length=3, unique=True)
    name = models.CharField(max_length=100, db_index=True)
    official_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        constraints = [
            models.CheckConstraint(condition=models.Q(code__regex=r"^[A-Z]{2}$"), name="country_code_alpha2"),
            models.CheckConstraint(condition=models.Q(alpha3__regex=r"^[A-Z]{3}$"), name="country_alpha3_format"),
            models.CheckConstraint(condition=models.Q(numeric__regex=r"^[0-9]{3}$"), name="country_numeric_format"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
