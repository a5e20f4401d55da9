from django.urls import path

from kaidan.shipping import views, views_carriers, views_notes, views_pdf

urlpatterns = [
    path("", views.queue, name="shipping_queue"),
    path("orders/<int:order_id>/new/", views_notes.note_create, name="delivery_note_create"),
    path("notes/", views.note_list, name="delivery_note_list"),
    path("notes/<int:note_id>/", views_notes.note_detail, name="delivery_note_detail"),
    path("notes/<int:note_id>/pick/", views_notes.note_pick, name="delivery_note_pick"),
    path("notes/<int:note_id>/pack/", views_notes.note_pack, name="delivery_note_pack"),
    path("notes/<int:note_id>/reopen/", views_notes.note_reopen, name="delivery_note_reopen"),
    path("notes/<int:note_id>/ship/", views_notes.note_ship, name="delivery_note_ship"),
    path("notes/<int:note_id>/cancel/", views_notes.note_cancel, name="delivery_note_cancel"),
    path("notes/<int:note_id>/events/", views_notes.note_event, name="delivery_note_event"),
    path("notes/<int:note_id>/delivery-note.pdf", views_pdf.delivery_note_pdf, name="delivery_note_pdf"),
    path("notes/<int:note_id>/picking-list.pdf", views_pdf.picking_list_pdf, name="picking_list_pdf"),
    path("carriers/", views_carriers.carrier_list, name="carrier_list"),
    path("carriers/new/", views_carriers.carrier_create, name="carrier_create"),
    path("carriers/<int:carrier_id>/edit/", views_carriers.carrier_edit, name="carrier_edit"),
    path("carriers/<int:carrier_id>/key/", views_carriers.carrier_key, name="carrier_key"),
]
