from django.urls import re_path

from glint_horizon import views

urlpatterns = [
    re_path(r'^$', views.IndexView.as_view(), name='index'),
]
