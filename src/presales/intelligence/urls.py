from django.urls import path

from presales.intelligence import quality_views, views

urlpatterns = [
    path("duplicates/", views.duplicates, name="intel_duplicates"),
    path("duplicates/run/", views.duplicates_run, name="intel_duplicates_run"),
    path("duplicates/<int:pair_id>/", views.pair_detail, name="intel_pair"),
    path("duplicates/<int:pair_id>/<slug:action>/", views.pair_action, name="intel_pair_action"),
    path("merges/", views.merge_list, name="intel_merges"),
    path("merges/<int:merge_record_id>/undo/", views.merge_undo, name="intel_merge_undo"),
    path("quality/", quality_views.quality_page, name="intel_quality"),
    path("quality/rules/", quality_views.run_rules, name="intel_quality_rules"),
    path("contacts/<int:contact_id>/flags/", quality_views.flag_new, name="intel_flag_new"),
    path("flags/<int:flag_id>/<slug:action>/", quality_views.flag_action, name="intel_flag_action"),
    path("accounts/<int:account_id>/", quality_views.account, name="intel_account"),
    path(
        "accounts/<int:account_id>/corrections/",
        quality_views.correction_new,
        name="intel_correction_new",
    ),
    path(
        "corrections/<int:correction_id>/<slug:action>/",
        quality_views.correction_action,
        name="intel_correction_action",
    ),
]
