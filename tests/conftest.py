"""Suite-wide collection and scheduling: which tests run in a browser, and how two xdist workers share the
suite.

`make test` runs pytest-xdist with two workers (`-n 2 --dist loadgroup`). Every test that starts servers
and a browser (tests/e2e, tests/deploy) is one work unit, run in order on one worker as it would run
alone, while the other worker runs the unit tests and AppTests: never two browser tests at once on a
2-core machine. The grouping is by path in a scheduler of our own, not by an `xdist_group` mark: with
pytest 9.2, xdist 3.8's loadgroup loses the marks (it renames node ids, which pytest no longer reads;
pytest-dev/pytest-xdist#1386).
"""

import os

import pytest

SERVER_TESTS = ("tests/e2e/", "tests/deploy/")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist, called only where it distributes the tests
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    if config.getoption("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ServerTestsTogether(LoadScopeScheduling):
        """xdist's scope scheduling with one scope for all server tests and one per other test. The largest
        scope is handed out first, so the server tests start at once and the rest fill the other worker."""

        def _split_scope(self, nodeid: str) -> str:
            return "servers" if nodeid.startswith(SERVER_TESTS) else nodeid

    return ServerTestsTogether(config, log)
