"""Settings for the onboarding benchmark's second phase: the project plus one tenant app whose
single migration stands for "a new migration" to roll out across every satker schema."""

from halopst.settings import *  # noqa: F403
from halopst.settings import INSTALLED_APPS, TENANT_APPS

TENANT_APPS = TENANT_APPS + ["bench.newapp"]
INSTALLED_APPS = INSTALLED_APPS + ["bench.newapp"]
