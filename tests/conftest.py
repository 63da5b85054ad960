"""Test-suite settings shared by every test module."""

from hypothesis import HealthCheck, settings

# Property tests must not depend on the machine's speed: no per-example deadline and no
# "generation too slow" health check (CI machines are shared and noisy). Examples are
# still random with hypothesis' own seed handling; counts are set per test.
settings.register_profile("accelbench", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("accelbench")
