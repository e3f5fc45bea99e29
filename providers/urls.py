from django.urls import path

from . import views

app_name = "providers"
urlpatterns = [
    path("", views.my_providers, name="mine"),
    path("apply/", views.apply, name="apply"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("<int:provider_id>/", views.dashboard, name="dashboard"),
    path("<int:provider_id>/application/", views.application, name="application"),
    path("<int:provider_id>/application/evidence/<int:pk>/", views.application_evidence, name="application_evidence"),
    path("<int:provider_id>/invoices/", views.invoices, name="invoices"),
    path("<int:provider_id>/invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("<int:provider_id>/trainings/", views.deliveries, name="deliveries"),
    path("<int:provider_id>/trainings/new/", views.report_delivery, name="report_delivery"),
    path("<int:provider_id>/uploads/", views.uploads, name="uploads"),
    path("<int:provider_id>/uploads/supervision/new/", views.upload_supervision, name="upload_supervision"),
    path("<int:provider_id>/uploads/supervision/<int:pk>/file/", views.supervision_file, name="supervision_file"),
    path("<int:provider_id>/uploads/completers/new/", views.upload_completers, name="upload_completers"),
    path("<int:provider_id>/uploads/completers/<int:pk>/", views.completer_list, name="completer_list"),
    path("<int:provider_id>/uploads/completers/<int:pk>/file/", views.completer_file, name="completer_file"),
    path("<int:provider_id>/uploads/network-events/new/", views.record_network_event, name="record_network_event"),
]
