"""A picture uploaded into a closed web chat group, over real HTTP to a running server: a
member is refused with the line that refuses their messages, before the file is kept; a
member holding a staff role still uploads (and posts it)."""

from __future__ import annotations

from pathlib import Path

import httpx

from hearthkeeper.carriers.closing import close_group
from hearthkeeper.carriers.webchat.carrier import WebChatCarrier
from hearthkeeper.clock import SystemClock
from hearthkeeper.playbook.positioning import Language
from tests.browser.live import start_live_server
from tests.webchat_setup import picture

CLOSED = "颜学院护肤社 1群已关闭，成员不能再在这里发言。成员们移步「颜学院护肤社 2群」继续交流。"


def test_a_member_cannot_upload_a_picture_into_a_closed_group_but_staff_can(
    tmp_path: Path,
) -> None:
    server = start_live_server(tmp_path / "data", groups=2)
    try:
        member, member_token = server.seat_member("小满")
        keeper, keeper_token = server.seat_member("管理员")
        first, second = server.groups()
        store = server.store
        staff = store.member_for("webchat", keeper, "管理员")
        store.set_role(staff.id, first.id, "moderator")
        close_group(store, first, "ops", SystemClock().now(), into=second, site=server.url,
                    language=Language.ZH_CN)  # fmt: skip
        uploads = server.host.carrier(WebChatCarrier).uploads_dir
        data = picture("PNG", (5, 7))
        url = f"{server.url}/chat/{server.invite_code(0)}/upload"

        def upload(token: str) -> httpx.Response:
            return httpx.post(url, files={"picture": ("shelf.png", data, "image/png")},
                              cookies={"hearth_member": token}, timeout=30)  # fmt: skip

        refused = upload(member_token)
        assert refused.status_code == 403
        assert refused.json()["detail"] == CLOSED
        assert not uploads.exists() or not list(uploads.glob("*.png"))  # nothing kept

        kept = upload(keeper_token)
        assert kept.status_code == 200, kept.text
        assert (uploads / kept.json()["picture"]).is_file()
        assert member != keeper
    finally:
        server.stop()
