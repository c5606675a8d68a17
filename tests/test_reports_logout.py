"""/reports/logout needs the same Origin check as every other write (issue 24, point 5): a
page on another site (or a same-site page on another origin) cannot end the manager's
session; the page's own form can."""

from __future__ import annotations

import requests
from test_reports import served_hub, site, unlock  # noqa: F401  (fixtures)


def test_a_foreign_origin_cannot_log_the_manager_out(served_hub) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    config, server = served_hub
    session, ok = unlock(server, config.hub.manager_pin)
    assert ok.status_code == 303
    del session.headers["Origin"]  # the paired session sends the hub's Origin by default; each try says its own
    for headers in ({"Origin": "http://evil.example"}, {"Origin": "null"}, {"Referer": "http://other.lan:8080/x"},
                    {}):
        forced = session.post(server.url + "/reports/logout", headers=headers, allow_redirects=False, timeout=5)
        assert forced.status_code == 403, headers
        assert session.get(server.url + "/reports?period=month", timeout=10).status_code == 200, headers
    own = session.post(server.url + "/reports/logout", headers={"Origin": server.url}, allow_redirects=False,
                       timeout=5)
    assert own.status_code == 303
    assert requests.get(server.url + "/reports", cookies=session.cookies, timeout=5).status_code == 401
