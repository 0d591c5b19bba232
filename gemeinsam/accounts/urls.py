"""Member pages, mounted under /<language>/members/."""

from django.urls import path

from gemeinsam.accounts import views

app_name = "accounts"

urlpatterns = [
    path("settings/profile/", views.profile_settings, name="profile-settings"),
    path("settings/mail/", views.mail_settings, name="mail-settings"),
    path("settings/blocked/", views.relationships, name="relationships"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("dev-mail/", views.dev_mail, name="dev-mail"),
    path("dev-mail/<str:name>/", views.dev_mail_message, name="dev-mail-message"),
    path("<int:user_id>/", views.profile_detail, name="profile"),
    path("<int:user_id>/block/", views.block, name="block"),
    path("<int:user_id>/unblock/", views.unblock, name="unblock"),
    path("<int:user_id>/mute/", views.mute, name="mute"),
    path("<int:user_id>/unmute/", views.unmute, name="unmute"),
]
