"""Settings of the test suite (pyproject.toml points pytest-django here).

Local-development settings (pytest-django turns DEBUG off inside every test), with a fast password
hasher. Production settings are checked in subprocesses with their own environment
(portal/tests/test_deploy.py, test_settings.py).
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")

from portal.settings import *  # noqa: E402, F403

# Real password hashing is deliberately slow; the suite creates many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
