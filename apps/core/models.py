"""The core app keeps no models of its own: its tables (the data version) are created by its
migrations and read with SQL (apps/core/data_version.py). This module exists so that Django
sends the app its post_migrate signal, which installs the data-version triggers."""
