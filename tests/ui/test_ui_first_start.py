"""First start on an empty database: guidance, the sample-region offer, and 'no' remembered."""

from __future__ import annotations

from ui_helpers import open_window


def test_empty_database_shows_guidance(qtbot, empty_ctx):
    window = open_window(qtbot, empty_ctx)
    text = window.resources_tab.detail.toPlainText()
    assert "まだ資源が登録されていません" in text
    assert "サンプル地域を読み込む" in text
    assert window.resources_tab.count_label.text() == "0 件 / 0 件"


def test_first_start_offer_accepted_loads_the_sample(qtbot, empty_ctx):
    window = open_window(qtbot, empty_ctx)
    empty_ctx.messages.answers.append(True)
    window.offer_sample_on_first_start()
    assert "サンプル地域を読み込みますか？" in [t for _k, t, _x in empty_ctx.messages.shown]
    assert window.resources_tab.model.total == 129
    assert window.sample_label.text() == "サンプルデータ（架空）を表示中"
    assert empty_ctx.settings.get("ui/offer_sample") is True


def test_first_start_offer_declined_is_not_asked_again(qtbot, empty_ctx):
    window = open_window(qtbot, empty_ctx)
    empty_ctx.messages.answers.append(False)
    window.offer_sample_on_first_start()
    assert window.resources_tab.model.total == 0
    assert empty_ctx.settings.get("ui/offer_sample") is False
    assert "いつでも読み込めます" in window.statusBar().currentMessage()
    # The menu entry still works later.
    empty_ctx.messages.answers.append(True)
    window.act_sample.trigger()
    assert window.resources_tab.model.total == 129


def test_an_older_sample_database_can_gain_the_sample_issues(qtbot, ctx):
    from sqlalchemy import text

    from zaitaku_desktop.storage import meta_repo

    # A sample database made before the issue board: no issues and no marker.
    with ctx.services.db.session() as s:
        for table in ("meeting_issue", "association_need_theme", "association_need", "issue_response",
                      "collab_issue_profession",
                      "collab_issue_theme", "collab_issue"):
            s.execute(text(f"DELETE FROM {table}"))
        meta_repo.put(s, "sample_issues_loaded", "")
    window = open_window(qtbot, ctx)
    assert window.act_sample_issues.isVisible()
    ctx.messages.answers.append(True)
    window.act_sample_issues.trigger()
    assert len(window.issues_tab.all_rows) == 25
    assert not window.act_sample_issues.isVisible()


def test_sample_issues_action_hidden_when_they_are_there(qtbot, ctx):
    window = open_window(qtbot, ctx)
    assert not window.act_sample_issues.isVisible()
