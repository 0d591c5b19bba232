"""Staff roles and the approval workflow exist after migrating."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group


@pytest.mark.django_db
def test_staff_roles_exist_after_migrating() -> None:
    names = set(Group.objects.values_list("name", flat=True))

    assert {"Editors", "Press officers", "Community managers", "Administrators"} <= names
    press = Group.objects.get(name="Press officers")
    assert press.permissions.filter(codename="view_embargoed").exists()


@pytest.mark.django_db
def test_editors_submit_and_press_officers_approve() -> None:
    from wagtail.models import Page, WorkflowPage

    from gemeinsam.accounts.models import User

    editor = User.objects.create_user(email="ed@example.org", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    press = User.objects.create_user(email="press@example.org", is_staff=True)
    press.groups.add(Group.objects.get(name="Press officers"))
    root = Page.get_first_root_node()

    workflow = WorkflowPage.objects.get(page=root).workflow
    approvers = set(workflow.tasks.get().specific.groups.values_list("name", flat=True))

    assert workflow.name == "Editorial approval"
    assert approvers == {"Press officers", "Administrators"}
    assert not root.permissions_for_user(editor).can_publish_subpage()
    assert root.permissions_for_user(editor).can_add_subpage()
    assert root.permissions_for_user(press).can_publish_subpage()
