"""Static files as deployed: WhiteNoise serves them compressed (gzip, and brotli when
installed) under names that carry their content's hash, so browsers may keep them for a year
(Cache-Control: immutable) and a changed file is a new name."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFiles(CompressedManifestStaticFilesStorage):
    def stored_name(self, name):
        """The hashed name; the plain one for a file that was never collected, as in a process
        started without `collectstatic` (a test, a first look at the code): a page then links a
        file that may be missing instead of failing to render. Deployments collect first."""
        try:
            return super().stored_name(name)
        except ValueError:
            return name
