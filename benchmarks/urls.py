"""The product's URLs plus the benchmark's floors (only in the benchmark's server: benchmarks.settings)."""

from django.urls import include, path

from benchmarks import views

urlpatterns = [
    path("bench/trivial", views.trivial, name="bench_trivial"),
    path("bench/insert", views.insert, name="bench_insert"),
    path("", include("portal.urls")),
]
