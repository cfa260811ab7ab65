from django.urls import path

from . import views

urlpatterns = [path("api/rooms/<str:room>/messages", views.messages)]
