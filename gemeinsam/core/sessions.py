"""Sessions in the database, each row knowing its member, so signing someone out is one query.

Set ``SESSION_ENGINE = "gemeinsam.core.sessions"``. It is Django's database engine with a
``user_id`` column filled from the session's signed-in user on every save.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


def _user_id(data: dict[str, Any]) -> int | None:
    try:
        return int(data[SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        return None


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls) -> Any:
        from gemeinsam.core.models import MemberSession

        return MemberSession

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        instance: Any = super().create_model_instance(data)
        instance.user_id = _user_id(data)
        return instance

    async def acreate_model_instance(self, data: dict[str, Any]) -> Any:
        """The same for Django's async session path (``asave``), which does not call the
        synchronous method."""
        instance: Any = await super().acreate_model_instance(data)
        instance.user_id = _user_id(data)
        return instance


def end_sessions(*, user_id: int, keep_session_key: str | None = None) -> int:
    """Delete every stored session of the member except ``keep_session_key``; how many went.

    One indexed delete: it does not read or decode other members' sessions, so it is cheap
    inside a transaction. Side effect: the member is signed out on every other device.
    """
    sessions = SessionStore.get_model_class()._default_manager.filter(user_id=user_id)
    if keep_session_key:
        sessions = sessions.exclude(session_key=keep_session_key)
    deleted, _by_model = sessions.delete()
    return int(deleted)
