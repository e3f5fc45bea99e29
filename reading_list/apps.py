from django.apps import AppConfig


class ReadingListConfig(AppConfig):
    name = "reading_list"
    verbose_name = "Recommended reading"
