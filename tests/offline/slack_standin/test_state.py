from bot.offline.slack_standin import StandinState

MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": []}


def _open(state: StandinState) -> str:
    return state._new_stored_view(MODAL, "U_ADMIN", None, None).id


def test_apply_view_response_update_push_clear_close():
    state = StandinState()
    root = _open(state)
    updated = state.apply_view_response(
        root, {"response_action": "update", "view": {**MODAL, "callback_id": "u"}}
    )
    assert updated is not None and updated.id == root and updated.view["callback_id"] == "u"
    pushed = state.apply_view_response(root, {"response_action": "push", "view": MODAL})
    assert pushed is not None and [v.id for v in state.view_stack(root)] == [root, pushed.id]
    assert state.apply_view_response(pushed.id, {"response_action": "errors", "errors": {}}) is pushed
    top = state.apply_view_response(pushed.id, None)  # plain ack closes the top view only
    assert top is not None and top.id == root and state.views[pushed.id].closed
    again = state.apply_view_response(root, {"response_action": "push", "view": MODAL})
    assert again is not None
    assert state.apply_view_response(again.id, {"response_action": "clear"}) is None
    assert state.open_views("U_ADMIN") == []
