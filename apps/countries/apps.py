from django.apps import AppConfig


class CountriesConfig(AppConfig):
    name = "apps.countries"
    label = "countries"
