"""The embedded database's engine: Django's SQLite backend with its connections pooled
(``ENGINE = "apps.core.platform.sqlite"``; see ``base``)."""
