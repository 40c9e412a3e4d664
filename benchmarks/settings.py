"""Settings of the benchmark's own server only: production settings plus the two floor views (benchmarks.urls)
and the bare table their INSERT writes to. The product never loads this module."""

from portal.settings import *  # noqa: F403 - the benchmark measures exactly the product's settings

INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks"]  # noqa: F405
ROOT_URLCONF = "benchmarks.urls"
