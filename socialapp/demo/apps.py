from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `make run`: the seed_demo command and the photos it posts."""

    name = "socialapp.demo"
    label = "demo"
