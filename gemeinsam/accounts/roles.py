"""Staff roles as groups: editor, press officer, community manager, administrator.

Permissions are named by app label and codename so this low layer needs no feature models.
Running :func:`ensure_staff_roles` again brings the groups back to these definitions.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

EDITOR = "Editors"
PRESS_OFFICER = "Press officers"
COMMUNITY_MANAGER = "Community managers"
ADMINISTRATOR = "Administrators"

# Editors write and submit; press officers and administrators approve and publish.
PAGE_PERMISSIONS = {
    EDITOR: ["add_page", "change_page", "lock_page", "unlock_page"],
    PRESS_OFFICER: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
    COMMUNITY_MANAGER: [],
    ADMINISTRATOR: [
        "add_page",
        "change_page",
        "publish_page",
        "bulk_delete_page",
        "lock_page",
        "unlock_page",
    ],
}

COLLECTION_PERMISSIONS = {
    EDITOR: [
        "add_customimage",
        "change_customimage",
        "choose_customimage",
        "add_document",
        "change_document",
        "choose_document",
    ],
    PRESS_OFFICER: [
        "add_customimage",
        "change_customimage",
        "choose_customimage",
        "add_document",
        "change_document",
        "choose_document",
    ],
    COMMUNITY_MANAGER: ["choose_customimage"],
    ADMINISTRATOR: [
        "add_customimage",
        "change_customimage",
        "delete_customimage",
        "choose_customimage",
        "add_document",
        "change_document",
        "delete_document",
        "choose_document",
    ],
}

MODEL_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    EDITOR: [
        ("wagtailadmin", "access_admin"),
        ("newsroom", "add_author"),
        ("newsroom", "change_author"),
        ("newsroom", "view_author"),
        ("newsroom", "add_topic"),
        ("newsroom", "change_topic"),
        ("newsroom", "view_topic"),
        ("newsroom", "add_video"),
        ("newsroom", "change_video"),
        ("newsroom", "view_video"),
        ("analytics", "view_dailyviews"),
    ],
    PRESS_OFFICER: [
        ("wagtailadmin", "access_admin"),
        ("analytics", "view_dailyviews"),
        ("newsroom", "add_presscontact"),
        ("newsroom", "change_presscontact"),
        ("newsroom", "delete_presscontact"),
        ("newsroom", "view_presscontact"),
        ("newsroom", "add_boilerplate"),
        ("newsroom", "change_boilerplate"),
        ("newsroom", "view_boilerplate"),
        ("newsroom", "view_embargoed"),
        ("newsroom", "add_embargolink"),
        ("newsroom", "view_embargolink"),
        ("newsroom", "add_video"),
        ("newsroom", "change_video"),
        ("newsroom", "view_video"),
        ("newsroom", "add_outsidechannel"),
        ("newsroom", "change_outsidechannel"),
        ("newsroom", "view_outsidechannel"),
    ],
    COMMUNITY_MANAGER: [
        ("wagtailadmin", "access_admin"),
        ("moderation", "moderate_content"),
        ("moderation", "view_report"),
    ],
    ADMINISTRATOR: [],  # every permission, see below
}


APPROVAL_WORKFLOW = "Editorial approval"
APPROVERS = [PRESS_OFFICER, ADMINISTRATOR]


@transaction.atomic
def ensure_staff_roles() -> dict[str, Group]:
    """Create or update the four staff groups with their permissions and the approval
    workflow on the whole page tree; idempotent."""
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    groups: dict[str, Group] = {}
    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    for name, model_permissions in MODEL_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        groups[name] = group
        if name == ADMINISTRATOR:
            group.permissions.set(Permission.objects.all())
        else:
            query = Q(pk__in=[])
            for app_label, codename in model_permissions:
                query |= Q(content_type__app_label=app_label, codename=codename)
            group.permissions.set(Permission.objects.filter(query))
        if root_page is not None:
            for codename in PAGE_PERMISSIONS[name]:
                permission = Permission.objects.filter(
                    content_type__app_label="wagtailcore", codename=codename
                ).first()
                if permission is not None:
                    GroupPagePermission.objects.get_or_create(
                        group=group, page=root_page, permission=permission
                    )
        if root_collection is not None:
            for codename in COLLECTION_PERMISSIONS[name]:
                permission = Permission.objects.filter(codename=codename).first()
                if permission is not None:
                    GroupCollectionPermission.objects.get_or_create(
                        group=group, collection=root_collection, permission=permission
                    )
    if root_page is not None:
        _ensure_approval_workflow(root_page, [groups[name] for name in APPROVERS])
    return groups


def _ensure_approval_workflow(root_page: object, approvers: list[Group]) -> None:
    """Every page goes through one approval step by press officers or administrators."""
    from wagtail.models import GroupApprovalTask, Workflow, WorkflowPage, WorkflowTask

    workflow, _created = Workflow.objects.get_or_create(name=APPROVAL_WORKFLOW)
    task = GroupApprovalTask.objects.filter(name=APPROVAL_WORKFLOW).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=APPROVAL_WORKFLOW)
    task.groups.set(approvers)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=root_page, defaults={"workflow": workflow})
